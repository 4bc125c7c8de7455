import Foundation

/// Test media made and inspected with the ffmpeg/ffprobe command-line tools, an implementation
/// independent of segd's own FFmpeg bindings.
enum TestMedia {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Runs `ffmpeg -v error -nostdin -y ARGS`.
    static func ffmpeg(_ arguments: [String]) throws {
        let r = try tool("ffmpeg", ["-hide_banner", "-v", "error", "-nostdin", "-y"] + arguments)
        guard r.status == 0 else { throw Failure(description: "ffmpeg \(arguments.joined(separator: " ")): \(r.stderr)") }
    }

    /// Every video frame's presentation time in seconds, as ffprobe reports it.
    static func framePTS(_ path: String) throws -> [Double] {
        let r = try tool("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries",
                                     "frame=best_effort_timestamp_time", "-of", "csv=p=0", path])
        guard r.status == 0 else { throw Failure(description: "ffprobe \(path): \(r.stderr)") }
        // A line is the time, sometimes followed by a comma and side-data fields.
        return r.stdout.split(separator: "\n").compactMap { line in
            line.split(separator: ",", omittingEmptySubsequences: false).first.flatMap { Double($0.trimmingCharacters(in: .whitespaces)) }
        }
    }

    /// How many video frames ffprobe decodes from `path`, and what it complains about on the
    /// way (a partial fragment: "partial file", invalid NAL units).
    static func probeFrames(_ path: String) throws -> (count: Int, errors: String) {
        let r = try tool("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries",
                                     "frame=best_effort_timestamp_time", "-of", "csv=p=0", path])
        return (r.stdout.split(separator: "\n").count, r.stderr)
    }

    /// Polls `condition` every 50 ms; throws after `timeout` seconds.
    static func waitUntil(timeout: Double, _ condition: () -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while !condition() {
            guard Date() < deadline else { throw Failure(description: "timed out after \(timeout) s") }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    private static func tool(_ name: String, _ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [name] + arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }
}
