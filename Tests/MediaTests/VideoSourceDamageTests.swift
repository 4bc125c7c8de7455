import Foundation
import Testing
import Media

/// Truncated and damaged files, and inputs that cannot be opened.
@Suite struct VideoSourceDamageTests {
    private func make(_ path: String, frames: Int = 30, _ options: [String]) throws {
        try FFmpegCLI.run(["-f", "lavfi", "-i", "testsrc2=size=96x64:rate=10", "-frames:v", "\(frames)"] + options + [path])
    }

    private func cut(_ path: String, to fraction: Double) throws -> String {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let out = path + ".cut" + (path as NSString).pathExtension
        try data.prefix(Int(Double(data.count) * fraction)).write(to: URL(fileURLWithPath: out))
        return out
    }

    /// A file cut in half yields its first frames, then nil; nothing is thrown.
    @Test(arguments: [("ts", ["-f", "mpegts"]), ("mp4", ["-movflags", "+frag_keyframe+empty_moov"])])
    func truncatedFileEndsCleanly(_ kind: String, _ container: [String]) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("x.\(kind)")
        try make(path, ["-c:v", "mpeg2video", "-g", "5", "-q:v", "2"] + container)
        let source = try VideoSource(url: try cut(path, to: 0.5))
        let frames = try decodeAllFrames(source)
        #expect(frames.count > 3 && frames.count < 30, "\(kind): \(frames.count) frames")
        #expect(try source.nextFrame() == nil)
        #expect(frames.map(\.index) == Array(0..<frames.count) || source.decodeErrors > 0)
    }

    /// Bytes flipped in the middle of an H.264 stream: decoding goes on, damage is counted.
    @Test func bitFlippedFileKeepsDecoding() throws {
        guard FFmpegCLI.hasEncoder("libx264") else { print("skipped: no libx264"); return }
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("x.ts")
        try make(path, ["-c:v", "libx264", "-g", "10", "-pix_fmt", "yuv420p", "-f", "mpegts"])
        var data = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        // Flip payload bytes (not the 4-byte TS packet headers) over the middle third.
        for i in stride(from: data.count / 3, to: 2 * data.count / 3, by: 7) where i % 188 >= 4 { data[i] ^= 0xA5 }
        let damaged = dir.file("damaged.ts")
        try Data(data).write(to: URL(fileURLWithPath: damaged))
        let previous = VideoSource.warningHandler
        VideoSource.warningHandler = nil
        defer { VideoSource.warningHandler = previous }
        let source = try VideoSource(url: damaged)
        let frames = try decodeAllFrames(source)
        #expect(frames.count >= 10, "\(frames.count) frames decoded")
        #expect(source.decodeErrors > 0 || frames.count < 30, "errors \(source.decodeErrors), frames \(frames.count)")
        #expect(frames.allSatisfy { $0.image?.pixels.count == 96 * 64 * 3 })
    }

    @Test func missingFile() throws {
        #expect(throws: MediaError.cannotOpen(path: "/nonexistent/segd/clip.mp4", reason: "No such file or directory")) {
            try VideoSource(url: "/nonexistent/segd/clip.mp4")
        }
    }

    @Test func notMedia() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("notes.mp4")
        try Data(String(repeating: "this is not a video\n", count: 200).utf8).write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: MediaError.self) { try VideoSource(url: path) }
        #expect(error == .cannotOpen(path: path, reason: "not a video format FFmpeg recognises"), "\(String(describing: error))")
    }

    @Test func audioOnly() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("tone.wav")
        try FFmpegCLI.run(["-f", "lavfi", "-i", "sine=duration=0.2", path])
        #expect(throws: MediaError.noPicture(path: path)) { try VideoSource(url: path) }
    }

    @Test func tooLarge() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("x.mkv")
        try make(path, frames: 2, ["-c:v", "ffv1"])
        var options = VideoSourceOptions()
        options.maxSide = 80
        #expect(throws: MediaError.tooLarge(path: path, width: 96, height: 64, limit: 80)) {
            try VideoSource(url: path, options: options)
        }
    }

    @Test func unknownInputFormat() throws {
        var options = VideoSourceOptions()
        options.inputFormat = "no-such-demuxer"
        let error = #expect(throws: MediaError.self) { try VideoSource(url: "/tmp/x", options: options) }
        #expect(error?.description.contains("no input format named \"no-such-demuxer\"") == true)
    }

    /// A v4l2 URL names the device and the video4linux2 demuxer; a missing device fails to open.
    @Test func missingV4L2Device() throws {
        let error = #expect(throws: MediaError.self) { try VideoSource(url: "v4l2:///dev/segd-no-such-camera") }
        guard case let .cannotOpen(path, reason)? = error else { Issue.record("\(String(describing: error))"); return }
        #expect(path == "v4l2:///dev/segd-no-such-camera")
        #expect(reason == "No such file or directory", "\(reason)")
    }
}
