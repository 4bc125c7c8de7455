import Foundation
import Testing
import Media

/// Network input, read timeouts and interruption, against servers the tests start themselves.
@Suite struct VideoSourceNetworkTests {
    /// An MPEG-TS clip of `frames` frames.
    private func makeTS(_ dir: TemporaryDirectory, frames: Int) throws -> String {
        let path = dir.file("x.ts")
        try FFmpegCLI.run(["-f", "lavfi", "-i", "testsrc2=size=64x48:rate=25", "-frames:v", "\(frames)",
                           "-c:v", "mpeg2video", "-g", "5", "-f", "mpegts", path])
        return path
    }

    /// `ffmpeg -re … tcp://…?listen=1` serves a clip; every frame arrives, then the stream ends.
    @Test func tcpStream() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let clip = try makeTS(dir, frames: 20)
        let port = try videoTestFreePort()
        let url = "tcp://127.0.0.1:\(port)"
        let server = try BackgroundFFmpegServer(["-re", "-i", clip, "-c", "copy", "-f", "mpegts", "\(url)?listen=1"])
        defer { server.stop() }
        // The server needs a moment before it listens: retry while the connection is refused
        // (for up to a minute, however loaded the machine).
        var source: VideoSource? = nil
        let start = Date()
        while source == nil {
            do {
                source = try VideoSource(url: url)
            } catch let error as MediaError {
                guard case .cannotOpen = error, Date().timeIntervalSince(start) < 60 else { throw error }
                Thread.sleep(forTimeInterval: 0.05)
            }
        }
        guard let source else { return }
        #expect(source.isLive)
        #expect(source.codecName == "mpeg2video")
        let frames = try decodeAllFrames(source)
        #expect(frames.count == 20, "\(frames.count) frames")
        #expect(frames.allSatisfy { $0.image?.width == 64 && $0.image?.height == 48 })
    }

    /// A server that accepts and never sends: opening fails with `.stalled` after `openTimeout`.
    @Test func silentServerStallsOpen() throws {
        let server = try StallingTCPServer(payload: [])
        defer { server.stop() }
        var options = VideoSourceOptions()
        options.openTimeout = 1
        let url = "tcp://127.0.0.1:\(server.port)"
        let start = Date()
        #expect(throws: MediaError.stalled(url: url, seconds: 1)) { try VideoSource(url: url, options: options) }
        #expect(Date().timeIntervalSince(start) >= 0.9, "gave up before the 1 s open timeout")
    }

    /// A server that sends a clip and then goes silent: its frames, then `.stalled` after `readTimeout`.
    @Test func silentServerStallsRead() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let clip = try makeTS(dir, frames: 30)
        let server = try StallingTCPServer(payload: [UInt8](try Data(contentsOf: URL(fileURLWithPath: clip))))
        defer { server.stop() }
        var options = VideoSourceOptions()
        options.readTimeout = 1
        options.inputFormat = "mpegts"
        let url = "tcp://127.0.0.1:\(server.port)"
        let source = try VideoSource(url: url, options: options)
        var frames = 0
        let error = #expect(throws: MediaError.self) {
            while try source.nextFrame() != nil { frames += 1 }
        }
        #expect(error == .stalled(url: url, seconds: 1), "\(String(describing: error))")
        #expect(frames > 0)
    }

    /// `interrupt()` from another thread ends a read that would otherwise wait for a minute.
    @Test func interruptUnblocksRead() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let clip = try makeTS(dir, frames: 30)
        let server = try StallingTCPServer(payload: [UInt8](try Data(contentsOf: URL(fileURLWithPath: clip))))
        defer { server.stop() }
        var options = VideoSourceOptions()
        options.readTimeout = 60
        options.inputFormat = "mpegts"
        let url = "tcp://127.0.0.1:\(server.port)"
        let source = try VideoSource(url: url, options: options)
        Thread.detachNewThread {
            Thread.sleep(forTimeInterval: 0.5)
            source.interrupt()
        }
        // .interrupted, not .stalled: the read ended by the interrupt, not by the 60 s timeout.
        #expect(throws: MediaError.interrupted(url: url)) {
            while try source.nextFrame() != nil {}
        }
        #expect(throws: MediaError.interrupted(url: url)) { try source.nextFrame() }
    }
}
