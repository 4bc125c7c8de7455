import Foundation
import Testing
import Media
#if canImport(Glibc)
import Glibc
#endif

/// `ffprobe`, the independent reference for frame counts and timestamps.
enum VideoProbe {
    static func executable() throws -> String {
        let ffmpeg = try FFmpegCLI.executable()
        let candidate = String(ffmpeg.dropLast("ffmpeg".count)) + "ffprobe"
        guard FileManager.default.isExecutableFile(atPath: candidate) else {
            throw MediaTestError(description: "`ffprobe` is not next to \(ffmpeg); VideoSource tests use it as the reference: install the ffmpeg package")
        }
        return candidate
    }

    static func run(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try executable())
        process.arguments = ["-v", "error"] + arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw MediaTestError(description: "ffprobe \(arguments.joined(separator: " ")) failed (\(process.terminationStatus))")
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Every decoded frame's `best_effort_timestamp_time`, in output order, made relative to the
    /// stream's `start_time` (what `DecodedFrame.pts` promises).
    static func framePTS(_ path: String) throws -> [Double] {
        let start = try run(["-select_streams", "v:0", "-show_entries", "stream=start_time", "-of", "default=nw=1:nk=1", path])
            .split(separator: "\n").first.flatMap { Double($0) } ?? 0
        let text = try run(["-select_streams", "v:0", "-show_frames", "-show_entries", "frame=best_effort_timestamp_time",
                            "-of", "default=nw=1", path])
        return text.split(separator: "\n").compactMap { line -> Double? in
            guard line.hasPrefix("best_effort_timestamp_time=") else { return nil }
            return Double(line.dropFirst("best_effort_timestamp_time=".count)).map { $0 - start }
        }
    }
}

/// Every frame of `source` until nil.
func decodeAllFrames(_ source: VideoSource, wantPixels: (Int, Double) -> Bool = { _, _ in true }) throws -> [DecodedFrame] {
    var frames: [DecodedFrame] = []
    while let frame = try source.nextFrame(wantPixels: wantPixels) { frames.append(frame) }
    return frames
}

/// All frames of `path` as rgb24 from the CLI, with the conversion flags `FrameConverter` uses,
/// one frame per decoded frame (no frame-rate conversion), split into frames of `width`×`height`.
func cliRGBFrames(_ path: String, width: Int, height: Int, input: [String] = []) throws -> [[UInt8]] {
    let bytes = [UInt8](try FFmpegCLI.run(input + ["-i", path, "-map", "0:v:0", "-vsync", "passthrough",
                                                   "-sws_flags", "bicubic+accurate_rnd+full_chroma_int",
                                                   "-f", "rawvideo", "-pix_fmt", "rgb24", "-"]))
    let size = width * height * 3
    return stride(from: 0, to: bytes.count - size + 1, by: size).map { Array(bytes[$0..<$0 + size]) }
}

/// A TCP port that was free a moment ago on 127.0.0.1.
func videoTestFreePort() throws -> UInt16 {
    let server = try StallingTCPServer(payload: [], serve: false)
    defer { server.stop() }
    return server.port
}

/// A TCP listener on 127.0.0.1 that accepts one connection, sends `payload`, then sends nothing
/// more and keeps the connection open until `stop()`: a source that stalls.
final class StallingTCPServer: @unchecked Sendable {
    let port: UInt16
    private let listener: Int32
    private let stopped = DispatchSemaphore(value: 0)
    private let done = DispatchSemaphore(value: 0)
    private let serving: Bool

    init(payload: [UInt8], serve: Bool = true) throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.listener = listener
        guard listener >= 0 else { throw MediaTestError(description: "socket() failed: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(listener, 4) == 0 else {
            close(listener)
            throw MediaTestError(description: "cannot listen on 127.0.0.1: errno \(errno)")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        port = UInt16(bigEndian: address.sin_port)
        serving = serve
        guard serve else { return }
        let stopped = self.stopped, done = self.done
        Thread.detachNewThread {
            let connection = accept(listener, nil, nil)
            if connection >= 0 {
                payload.withUnsafeBytes { raw in
                    var offset = 0
                    while offset < raw.count {
                        let n = send(connection, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                        if n <= 0 { break }
                        offset += n
                    }
                }
                stopped.wait()
                close(connection)
            }
            done.signal()
        }
    }

    /// Closes the connection and the listener.
    func stop() {
        if serving {
            stopped.signal()
            // Unblocks a pending accept().
            shutdown(listener, Int32(SHUT_RDWR))
            _ = done.wait(timeout: .now() + 5)
        }
        close(listener)
    }
}

/// An `ffmpeg` process running in the background (a streaming server), killed by `stop()`.
final class BackgroundFFmpegServer {
    private let process = Process()

    init(_ arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: try FFmpegCLI.executable())
        process.arguments = ["-hide_banner", "-v", "error", "-nostdin", "-y"] + arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    func stop() {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }
}
