import Foundation
import Testing
import FCCLIP
import Media

/// Decoding every kind of still image, checked against the `ffmpeg` CLI's own conversion.
@Suite struct ImageDecoderFormatTests {
    /// FrameConverter's libswscale flags, spelled for the CLI.
    static let decoderSwsFlags = "bicubic+accurate_rnd+full_chroma_int"

    /// Makes `name` with `extra` ffmpeg options, decodes it, and compares with the CLI's rgb24.
    private func checkLossless(_ name: String, _ extra: [String], source: String = "testsrc=size=37x23",
                               width: Int = 37, height: Int = 23) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file(name)
        try FFmpegCLI.make(path, source: source, extra)
        let image = try ImageDecoder.decode(path: path)
        #expect(image.width == width && image.height == height, "\(name): \(image.width)x\(image.height)")
        let reference = try FFmpegCLI.raw(path, swsFlags: Self.decoderSwsFlags)
        let same = image.pixels == reference
        #expect(same, "\(name): differs from ffmpeg's rgb24 by \(differences(image.pixels, reference))")
    }

    @Test func rgbPNG() throws { try checkLossless("rgb.png", []) }
    @Test func grayPNG() throws { try checkLossless("gray.png", ["-pix_fmt", "gray"]) }
    @Test func gray16PNG() throws { try checkLossless("gray16.png", ["-pix_fmt", "gray16be"]) }
    @Test func rgb48PNG() throws { try checkLossless("rgb48.png", ["-pix_fmt", "rgb48be"]) }
    @Test func palettePNG() throws { try checkLossless("pal.png", ["-pix_fmt", "pal8"]) }
    @Test func bmp() throws { try checkLossless("x.bmp", []) }
    @Test func tiff() throws { try checkLossless("x.tiff", []) }
    @Test func ffv1VideoFirstFrame() throws {
        try checkLossless("x.mkv", ["-c:v", "ffv1"], source: "testsrc2=size=48x32:rate=5",
                           width: 48, height: 32)
    }

    @Test func losslessWebP() throws {
        guard FFmpegCLI.hasEncoder("libwebp") else { return }
        try checkLossless("x.webp", ["-c:v", "libwebp", "-lossless", "1"])
    }

    /// 16-bit samples become 8-bit ones: within one level of the top byte.
    @Test func sixteenBitSamplesReduceToEightBits() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("rgb48.png")
        try FFmpegCLI.make(path, ["-pix_fmt", "rgb48be"])
        let image = try ImageDecoder.decode(path: path)
        let wide = try FFmpegCLI.raw(path, pixelFormat: "rgb48be")
        let topBytes = stride(from: 0, to: wide.count, by: 2).map { wide[$0] }
        #expect(differences(image.pixels, topBytes).max <= 1)
    }

    /// Alpha is dropped: the stored colour comes back whatever the opacity.
    @Test func alphaIsDropped() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        for (name, format, alphaFormat) in [("rgba.png", "rgba", "rgba"), ("ya.png", "ya8", "ya8")] {
            let path = dir.file(name)
            try FFmpegCLI.make(path, ["-vf", "format=rgba,geq=r='r(X,Y)':g='g(X,Y)':b='b(X,Y)':a='X*7',format=\(format)"])
            let image = try ImageDecoder.decode(path: path)
            let stored = try FFmpegCLI.raw(path, pixelFormat: alphaFormat)
            let channels = alphaFormat == "rgba" ? 4 : 2
            var expected: [UInt8] = []
            var alphas = Set<UInt8>()
            for p in 0..<(37 * 23) {
                let px = stored[(p * channels)..<((p + 1) * channels)]
                alphas.insert(px.last!)
                expected += channels == 4 ? Array(px.prefix(3)) : [px.first!, px.first!, px.first!]
            }
            #expect(alphas.count > 10, "\(name) should have varying alpha")
            let same = image.pixels == expected
            #expect(same, "\(name): \(differences(image.pixels, expected))")
        }
    }

    /// JPEG is lossy and decoders differ in chroma upsampling: close to the CLI, not equal.
    @Test func jpeg() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("x.jpg")
        try FFmpegCLI.make(path, source: "testsrc2=size=64x48", ["-q:v", "2"])
        let image = try ImageDecoder.decode(path: path)
        #expect(image.width == 64 && image.height == 48)
        // The CLI with ImageDecoder's swscale flags: the same conversion.
        let d = differences(image.pixels, try FFmpegCLI.raw(path, swsFlags: Self.decoderSwsFlags))
        #expect(d.max <= 1, "mean abs difference \(d.mean), max \(d.max)")
        // Against the uncompressed source: JPEG q2 error stays small.
        let source = dir.file("src.png")
        try FFmpegCLI.make(source, source: "testsrc2=size=64x48")
        let s = differences(image.pixels, try FFmpegCLI.raw(source))
        #expect(s.mean < 8, "mean abs difference to the source \(s.mean)")
    }

    /// An H.264 video gives its first frame (not a later one).
    @Test func h264FirstFrame() throws {
        guard FFmpegCLI.hasEncoder("libx264") else { return }
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("x.mp4")
        try FFmpegCLI.run(["-f", "lavfi", "-i", "testsrc2=size=64x48:rate=10", "-frames:v", "10",
                           "-c:v", "libx264", "-pix_fmt", "yuv420p", "-crf", "1", path])
        let image = try ImageDecoder.decode(path: path)
        #expect(image.width == 64 && image.height == 48)
        let d = differences(image.pixels, try FFmpegCLI.raw(path, swsFlags: Self.decoderSwsFlags))
        #expect(d.max <= 1, "mean abs difference \(d.mean), max \(d.max)")
    }
}
