import Foundation
import Testing
import Media

/// Pixel formats, odd sizes, rotation and variable frame rate.
@Suite struct VideoSourceFormatTests {
    /// Decodes `path` and compares every frame with the CLI's rgb24 (same swscale flags, so
    /// identical unless `tolerance` says otherwise) and its pts with ffprobe's.
    private func compareWithCLI(_ path: String, width: Int, height: Int, frames count: Int,
                                tolerance: Int = 0) throws {
        let source = try VideoSource(url: path)
        #expect(source.width == width && source.height == height, "\(path): \(source.width)x\(source.height)")
        let frames = try decodeAllFrames(source)
        #expect(frames.count == count, "\(path): \(frames.count) frames")
        let reference = try cliRGBFrames(path, width: width, height: height)
        #expect(reference.count == frames.count)
        for (frame, pixels) in zip(frames, reference) {
            #expect(frame.width == width && frame.height == height)
            guard let image = frame.image else { Issue.record("no pixels"); continue }
            #expect(image.width == width && image.height == height)
            guard image.pixels.count == pixels.count else { continue }
            let d = differences(image.pixels, pixels)
            #expect(d.max <= tolerance, "\(path) frame \(frame.index): differs from ffmpeg's rgb24 by \(d)")
        }
        let pts = try VideoProbe.framePTS(path)
        #expect(zip(frames, pts).allSatisfy { abs($0.pts - $1) < 1e-6 }, "\(frames.map(\.pts)) vs \(pts)")
    }

    /// Uncompressed video in NUT in each pixel format: at an odd size (37x23) where the format
    /// allows it, else 38x22 (the CLI rounds subsampled formats down to even sides).
    @Test(arguments: ["yuv420p", "yuv444p", "nv12", "yuv420p10le", "gray", "rgb24", "pal8", "yuvj422p", "yuv444p10le"])
    func pixelFormat(_ format: String) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("\(format).nut")
        let odd = ["yuv444p", "gray", "rgb24", "pal8", "yuv444p10le"].contains(format)
        let (width, height) = odd ? (37, 23) : (38, 22)
        try FFmpegCLI.run(["-f", "lavfi", "-i", "testsrc=size=\(width)x\(height):rate=10", "-frames:v", "4",
                           "-pix_fmt", format, "-c:v", "rawvideo", path])
        try compareWithCLI(path, width: width, height: height, frames: 4)
    }

    /// Odd sizes through real codecs: H.264 4:4:4 (4:2:0 needs even sides) and MJPEG.
    @Test func oddSizeCodecs() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var made: [(String, [String])] = [("odd.avi", ["-c:v", "mjpeg", "-pix_fmt", "yuvj444p"]), ("odd.mkv", ["-c:v", "ffv1"])]
        if FFmpegCLI.hasEncoder("libx264") { made.append(("odd.mp4", ["-c:v", "libx264", "-pix_fmt", "yuv444p"])) }
        for (name, options) in made {
            let path = dir.file(name)
            try FFmpegCLI.run(["-f", "lavfi", "-i", "testsrc=size=37x23:rate=10", "-frames:v", "5"] + options + [path])
            try compareWithCLI(path, width: 37, height: 23, frames: 5)
        }
    }

    /// 10-bit H.264/HEVC: samples reduced to 8 bits by swscale exactly as the CLI does.
    @Test func tenBit() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("ten.mkv")
        if FFmpegCLI.hasEncoder("libx265") {
            try FFmpegCLI.run(["-f", "lavfi", "-i", "testsrc2=size=64x48:rate=10", "-frames:v", "6", "-c:v", "libx265",
                               "-x265-params", "log-level=none", "-pix_fmt", "yuv420p10le", path])
        } else {
            try FFmpegCLI.run(["-f", "lavfi", "-i", "testsrc2=size=64x48:rate=10", "-frames:v", "6", "-c:v", "ffv1",
                               "-pix_fmt", "yuv420p10le", path])
        }
        try compareWithCLI(path, width: 64, height: 48, frames: 6)
    }

    /// A stream whose display matrix says "rotate 90°": frames come upright (48x64), like the
    /// CLI's autorotation. 4:4:4 so that rotating before or after the RGB conversion is the same.
    @Test func rotation() throws {
        guard FFmpegCLI.hasEncoder("libx264") else { print("skipped rotation: no libx264"); return }
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let plain = dir.file("plain.mp4"), rotated = dir.file("rotated.mp4")
        try FFmpegCLI.run(["-f", "lavfi", "-i", "testsrc2=size=64x48:rate=10", "-frames:v", "4",
                           "-c:v", "libx264", "-pix_fmt", "yuv444p", plain])
        // FFmpeg 5.1 writes the display matrix from the `rotate` tag when stream-copying.
        try FFmpegCLI.run(["-i", plain, "-c", "copy", "-metadata:s:v:0", "rotate=90", rotated])
        let source = try VideoSource(url: rotated)
        #expect(source.width == 48 && source.height == 64)
        let frames = try decodeAllFrames(source)
        #expect(frames.count == 4)
        let upright = try cliRGBFrames(rotated, width: 48, height: 64)
        let stored = try cliRGBFrames(plain, width: 64, height: 48)
        for (i, frame) in frames.enumerated() {
            #expect(frame.width == 48 && frame.height == 64)
            guard let image = frame.image else { Issue.record("no pixels"); continue }
            #expect(image.width == 48 && image.height == 64)
            let d = differences(image.pixels, upright[i])
            #expect(d.max <= 1, "frame \(i): differs from the CLI's autorotated frame by \(d)")
            // Rotation by 90° counter-clockwise: stored (x, y) lands at (y, 63 - x) upright.
            let x = 10, y = 7
            let s = (y * 64 + x) * 3, u = ((63 - x) * 48 + y) * 3
            #expect(Array(image.pixels[u..<u + 3]) == Array(stored[i][s..<s + 3]))
        }
    }

    /// Variable frame rate: timestamps follow the container, not a nominal rate.
    @Test func variableFrameRate() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("vfr.mkv")
        // Six frames 0.1 s apart, then six 0.25 s apart (the mkv time base is 1 ms).
        try FFmpegCLI.run(["-f", "lavfi", "-i", "testsrc2=size=64x48:rate=100", "-frames:v", "12",
                           "-vf", "setpts='if(lt(N,6),N*0.1,0.6+(N-6)*0.25)/TB'", "-vsync", "vfr",
                           "-c:v", "ffv1", path])
        let frames = try decodeAllFrames(try VideoSource(url: path))
        let reference = try VideoProbe.framePTS(path)
        #expect(frames.count == 12 && reference.count == 12)
        #expect(zip(frames, reference).allSatisfy { abs($0.pts - $1) < 1e-6 }, "\(frames.map(\.pts)) vs \(reference)")
        let expected: [Double] = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.85, 1.1, 1.35, 1.6, 1.85]
        let pts = frames.map(\.pts)
        #expect(zip(pts, expected).allSatisfy { abs($0 - $1) < 0.002 }, "\(pts)")
    }

    /// A stream with a non-zero start time (MPEG-TS starts at 1.4 s): the first frame is at 0.
    @Test func ptsRelativeToStart() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("x.ts")
        try FFmpegCLI.run(["-f", "lavfi", "-i", "testsrc2=size=64x48:rate=10", "-frames:v", "5", "-c:v", "mpeg2video", path])
        let frames = try decodeAllFrames(try VideoSource(url: path))
        #expect(frames.count == 5)
        let pts = frames.map(\.pts)
        let expected: [Double] = [0, 0.1, 0.2, 0.3, 0.4]
        #expect(zip(pts, expected).allSatisfy { abs($0 - $1) < 1e-6 }, "\(pts)")
    }
}
