import Foundation
import Testing
import Media

/// Every container/codec pair decodes to ffprobe's frames and timestamps and to the CLI's pixels.
@Suite struct VideoSourceCodecTests {
    /// Makes a 64x48, 12-frame testsrc2 clip with `encode` options, then checks frame count, pts,
    /// sizes and pixels. `pixelTolerance`: largest allowed difference to the CLI's rgb24.
    private func check(_ name: String, _ encode: [String], codec: String, encoder: String? = nil,
                       pixelTolerance: Int = 0) throws {
        if let encoder, !FFmpegCLI.hasEncoder(encoder) {
            print("skipped \(name): this ffmpeg has no \(encoder) encoder")
            return
        }
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file(name)
        if name.contains("%") { try FileManager.default.createDirectory(atPath: dir.file("frames"), withIntermediateDirectories: true) }
        try FFmpegCLI.run(["-f", "lavfi", "-i", "testsrc2=size=64x48:rate=10", "-frames:v", "12"] + encode + [path])

        let source = try VideoSource(url: path)
        #expect(source.codecName == codec)
        #expect(source.width == 64 && source.height == 48)
        #expect(!source.isLive)
        let frames = try decodeAllFrames(source)
        #expect(try source.nextFrame() == nil, "stays at the end")
        let expected = try VideoProbe.framePTS(path)
        #expect(frames.count == expected.count && frames.count == 12, "\(name): \(frames.count) frames, ffprobe \(expected.count)")
        for (frame, pts) in zip(frames, expected) {
            #expect(abs(frame.pts - pts) < 1e-6, "\(name) frame \(frame.index): pts \(frame.pts), ffprobe \(pts)")
        }
        #expect(frames.map(\.index) == Array(0..<frames.count))
        #expect(frames.first?.isKeyframe == true)
        #expect(source.decodeErrors == 0)

        let reference = try cliRGBFrames(path, width: 64, height: 48)
        #expect(reference.count == frames.count)
        for (frame, pixels) in zip(frames, reference) {
            guard let image = frame.image else { Issue.record("frame \(frame.index) has no pixels"); continue }
            #expect(image.width == 64 && image.height == 48)
            let d = differences(image.pixels, pixels)
            #expect(d.max <= pixelTolerance, "\(name) frame \(frame.index): differs from ffmpeg's rgb24 by \(d)")
        }
    }

    // Decoding is deterministic, and FrameConverter uses the CLI's conversion flags, so the pixels
    // are expected to be identical to the CLI's.
    @Test func h264MP4() throws {
        try check("x.mp4", ["-c:v", "libx264", "-pix_fmt", "yuv420p", "-g", "5", "-bf", "2"], codec: "h264", encoder: "libx264")
    }
    @Test func hevcMKV() throws {
        try check("x.mkv", ["-c:v", "libx265", "-x265-params", "log-level=none", "-pix_fmt", "yuv420p"], codec: "hevc", encoder: "libx265")
    }
    @Test func vp9WebM() throws {
        try check("x.webm", ["-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "200k"], codec: "vp9", encoder: "libvpx-vp9")
    }
    @Test func av1() throws {
        if FFmpegCLI.hasEncoder("libaom-av1") {
            try check("x.mkv", ["-c:v", "libaom-av1", "-cpu-used", "8", "-usage", "realtime", "-b:v", "200k"], codec: "av1")
        } else {
            try check("x.mkv", ["-c:v", "libsvtav1", "-preset", "12"], codec: "av1", encoder: "libsvtav1")
        }
    }
    @Test func mjpegAVI() throws {
        try check("x.avi", ["-c:v", "mjpeg", "-q:v", "3"], codec: "mjpeg")
    }
    @Test func h264MPEGTS() throws {
        try check("x.ts", ["-c:v", "libx264", "-pix_fmt", "yuv420p", "-g", "5"], codec: "h264", encoder: "libx264")
    }
    @Test func pngSequence() throws {
        try check("frames/%06d.png", ["-f", "image2"], codec: "png")
    }

    /// `wantPixels` skips the conversion but not the frame.
    @Test func framesWithoutPixels() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("x.mkv")
        try FFmpegCLI.run(["-f", "lavfi", "-i", "testsrc2=size=64x48:rate=10", "-frames:v", "6", "-c:v", "ffv1", path])
        let source = try VideoSource(url: path)
        var asked: [Int] = []
        let frames = try decodeAllFrames(source) { index, _ in asked.append(index); return index % 2 == 0 }
        #expect(asked == Array(0..<6))
        #expect(frames.map { $0.image != nil } == [true, false, true, false, true, false])
        #expect(frames.allSatisfy { $0.width == 64 && $0.height == 48 && $0.motionVectors == nil })
        #expect(source.frameRate == 10)
        #expect(source.duration.map { abs($0 - 0.6) < 0.05 } == true, "duration \(String(describing: source.duration))")
        #expect(source.containerName.contains("matroska"))
    }

    /// The fast conversion path: same frames and sizes, colours close to the exact path on average
    /// (it shares chroma between neighbouring pixels, so hard colour edges differ a lot locally).
    @Test func fastColorConversion() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("x.mkv")
        try FFmpegCLI.run(["-f", "lavfi", "-i", "testsrc2=size=64x48:rate=10", "-frames:v", "3", "-c:v", "ffv1",
                           "-pix_fmt", "yuv420p", path])
        var options = VideoSourceOptions()
        options.fastColorConversion = true
        let fast = try decodeAllFrames(try VideoSource(url: path, options: options))
        let exact = try decodeAllFrames(try VideoSource(url: path))
        #expect(fast.count == 3 && exact.count == 3)
        for (a, b) in zip(fast, exact) {
            guard let x = a.image?.pixels, let y = b.image?.pixels, x.count == y.count else { Issue.record("sizes differ"); continue }
            #expect(differences(x, y).mean < 8, "\(differences(x, y))")
        }
    }
}
