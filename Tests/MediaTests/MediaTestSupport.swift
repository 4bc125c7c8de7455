import Foundation
import Testing

/// Failure of a test helper, with a message saying what to do.
struct MediaTestError: Error, CustomStringConvertible {
    let description: String
}

/// The `ffmpeg` command line tool, found on PATH: an independent way to make and read images.
enum FFmpegCLI {
    static func executable() throws -> String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/ffmpeg"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw MediaTestError(description: "the `ffmpeg` command line tool is not on PATH (\(path)); MediaTests use it to make and check test images: install it (apt-get install ffmpeg)")
    }

    /// Runs `ffmpeg -v error -nostdin -y <arguments>` and returns its stdout.
    @discardableResult
    static func run(_ arguments: [String]) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try executable())
        process.arguments = ["-hide_banner", "-v", "error", "-nostdin", "-y"] + arguments
        let out = Pipe()
        let errPath = NSTemporaryDirectory() + "/segd-media-ffmpeg-\(UUID().uuidString).log"
        FileManager.default.createFile(atPath: errPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: errPath) }
        let errHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        defer { try? errHandle.close() }
        process.standardOutput = out
        process.standardError = errHandle
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let errData = FileManager.default.contents(atPath: errPath) ?? Data()
        guard process.terminationStatus == 0 else {
            throw MediaTestError(description: "ffmpeg \(arguments.joined(separator: " ")) failed (\(process.terminationStatus)): \(String(decoding: errData, as: UTF8.self))")
        }
        return data
    }

    /// Makes a test image: `ffmpeg -f lavfi -i <source> [extra] -frames:v 1 <path>`.
    static func make(_ path: String, source: String = "testsrc=size=37x23", _ extra: [String] = []) throws {
        try run(["-f", "lavfi", "-i", source] + extra + ["-frames:v", "1", path])
    }

    /// The first frame of `path` as raw bytes in `pixelFormat` (rgb24, gray16be, …), read by the CLI.
    /// `swsFlags` (output side) choose libswscale's conversion, e.g. to match ImageDecoder's.
    static func raw(_ path: String, pixelFormat: String = "rgb24", extra: [String] = [], swsFlags: String? = nil) throws -> [UInt8] {
        let sws = swsFlags.map { ["-sws_flags", $0] } ?? []
        return [UInt8](try run(extra + ["-i", path, "-frames:v", "1"] + sws + ["-f", "rawvideo", "-pix_fmt", pixelFormat, "-"]))
    }

    static func hasEncoder(_ name: String) -> Bool {
        guard let list = try? run(["-encoders"]) else { return false }
        return String(decoding: list, as: UTF8.self).contains(" \(name) ")
    }
}

/// A fresh directory under the system temporary directory, removed by `remove()`.
struct TemporaryDirectory {
    let path: String
    init() throws {
        path = NSTemporaryDirectory() + "/segd-media-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    func file(_ name: String) -> String { "\(path)/\(name)" }
    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// Largest absolute difference and mean absolute difference of two byte arrays of equal size.
func differences(_ a: [UInt8], _ b: [UInt8]) -> (max: Int, mean: Double) {
    precondition(a.count == b.count)
    var maxDiff = 0, sum = 0
    for i in 0..<a.count {
        let d = abs(Int(a[i]) - Int(b[i]))
        sum += d
        maxDiff = max(maxDiff, d)
    }
    return (maxDiff, a.isEmpty ? 0 : Double(sum) / Double(a.count))
}
