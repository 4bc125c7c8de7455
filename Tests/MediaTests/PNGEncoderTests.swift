import Foundation
import Testing
import FCCLIP
import Media

/// PNGEncoder output read back by ImageDecoder and by the `ffmpeg` CLI (with CRC checking).
@Suite struct PNGEncoderTests {
    /// Deterministic test content mixing flat areas, gradients and noise, so that every row
    /// filter gets chosen somewhere.
    static func samples(count: Int, width: Int, channels: Int, maxValue: Int) -> [Int] {
        var state: UInt64 = 0x9E3779B97F4A7C15
        return (0..<count).map { i in
            let pixel = i / channels, c = i % channels
            let x = pixel % width, y = pixel / width
            state = state &* 6364136223846793005 &+ 1442695040888963407
            switch y % 4 {
            case 0: return 7 * (c + 1) % (maxValue + 1)                               // flat
            case 1: return (x * 13 + c * 29) * (maxValue / 255) % (maxValue + 1)      // horizontal ramp
            case 2: return Int(state >> 33) % (maxValue + 1)                          // noise
            default: return ((x + y) * 5 + c) * (maxValue / 255) % (maxValue + 1)    // diagonal
            }
        }
    }

    /// The CLI decodes the file with CRC checks on and any error fatal.
    private func cli(_ path: String, _ pixelFormat: String) throws -> [UInt8] {
        try FFmpegCLI.raw(path, pixelFormat: pixelFormat, extra: ["-err_detect", "crccheck+explode"])
    }

    @Test(arguments: [(37, 23), (1, 1), (1, 9), (300, 2)])
    func rgb8RoundTrip(size: (Int, Int)) throws {
        let (w, h) = size
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let pixels = Self.samples(count: w * h * 3, width: w, channels: 3, maxValue: 255).map { UInt8($0) }
        let path = dir.file("rgb.png")
        try PNGEncoder.write(width: w, height: h, channels: 3, pixels: pixels, to: path)
        let image = try ImageDecoder.decode(path: path)
        #expect(image.width == w && image.height == h)
        do { let same = image.pixels == pixels; #expect(same) }
        #expect(try cli(path, "rgb24") == pixels)
    }

    @Test func gray8RoundTrip() throws {
        let (w, h) = (41, 19)
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let pixels = Self.samples(count: w * h, width: w, channels: 1, maxValue: 255).map { UInt8($0) }
        let path = dir.file("gray.png")
        try PNGEncoder.write(width: w, height: h, channels: 1, bitDepth: 8, pixels: pixels, to: path)
        let image = try ImageDecoder.decode(path: path)
        do { let same = image.pixels == pixels.flatMap { [$0, $0, $0] }; #expect(same) }
        #expect(try cli(path, "gray") == pixels)
    }

    @Test func gray16RoundTrip() throws {
        let (w, h) = (29, 17)
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let pixels = Self.samples(count: w * h, width: w, channels: 1, maxValue: 65535).map { UInt16($0) }
        let path = dir.file("gray16.png")
        try PNGEncoder.write(width: w, height: h, channels: 1, pixels: pixels, to: path)
        let bigEndian = pixels.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        #expect(try cli(path, "gray16be") == bigEndian)
        // ImageDecoder reduces to 8 bits: within one level of the top byte, as ffmpeg's rgb24.
        let image = try ImageDecoder.decode(path: path)
        let top = pixels.flatMap { v in [UInt8(v >> 8), UInt8(v >> 8), UInt8(v >> 8)] }
        #expect(differences(image.pixels, top).max <= 1)
        do { let same = image.pixels == (try cli(path, "rgb24")); #expect(same) }
    }

    @Test func rgb16RoundTrip() throws {
        let (w, h) = (23, 13)
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let pixels = Self.samples(count: w * h * 3, width: w, channels: 3, maxValue: 65535).map { UInt16($0) }
        let path = dir.file("rgb16.png")
        try PNGEncoder.write(width: w, height: h, channels: 3, bitDepth: 16, pixels: pixels, to: path)
        #expect(try cli(path, "rgb48be") == pixels.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] })
        // Pre-packed big-endian bytes with bitDepth 16 give the same file.
        let packed = pixels.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        #expect(PNGEncoder.encode(width: w, height: h, channels: 3, bitDepth: 16, pixels: packed)
                == PNGEncoder.encode(width: w, height: h, channels: 3, pixels: pixels))
    }

    @Test func headerAndChunkLayout() {
        let png = PNGEncoder.encode(width: 5, height: 3, channels: 1, pixels: [UInt16](repeating: 1000, count: 15))
        #expect(Array(png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        #expect(Array(png[8..<16]) == [0, 0, 0, 13] + Array("IHDR".utf8))
        #expect(Array(png[16..<29]) == [0, 0, 0, 5, 0, 0, 0, 3, 16, 0, 0, 0, 0])
        #expect(Array(png.suffix(12)) == [0, 0, 0, 0] + Array("IEND".utf8) + [0xAE, 0x42, 0x60, 0x82])
    }

    /// Per-row filtering makes smooth and flat content much smaller than filter 0 would.
    @Test func filteringCompressesGradients() throws {
        let (w, h) = (256, 256)
        var pixels = [UInt8](repeating: 0, count: w * h * 3)
        for y in 0..<h { for x in 0..<w { for c in 0..<3 { pixels[(y * w + x) * 3 + c] = UInt8((x * (c + 1) + y) & 0xFF) } } }
        let png = PNGEncoder.encode(width: w, height: h, channels: 3, pixels: pixels)
        #expect(png.count < 4000, "\(png.count) bytes")
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("grad.png")
        try Data(png).write(to: URL(fileURLWithPath: path))
        #expect(try cli(path, "rgb24") == pixels)
    }

    @Test func writeIsAtomicAndLeavesNoTemporaryFiles() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("out.png")
        try PNGEncoder.write(width: 2, height: 2, channels: 1, pixels: [UInt8]([1, 2, 3, 4]), to: path)
        try PNGEncoder.write(width: 3, height: 1, channels: 3, pixels: [UInt8](repeating: 9, count: 9), to: path, durable: true)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["out.png"])
        let image = try ImageDecoder.decode(path: path)
        #expect(image.width == 3 && image.height == 1 && image.pixels == [UInt8](repeating: 9, count: 9))
    }

    @Test func writeIntoMissingDirectoryFails() throws {
        let path = "/nonexistent-\(UUID().uuidString)/out.png"
        do {
            try PNGEncoder.write(width: 1, height: 1, channels: 1, pixels: [UInt8]([0]), to: path)
            Issue.record("wrote into a missing directory")
        } catch let error as MediaError {
            guard case .writeFailed(let p, let reason) = error, p == path else { Issue.record("\(error)"); return }
            #expect(reason.contains("No such file or directory"))
        }
    }

    @Test func failedWriteKeepsTheOldFile() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        // Target is a non-empty directory: rename fails, nothing is replaced, no temp left.
        let target = dir.file("taken.png")
        try FileManager.default.createDirectory(atPath: target + "/inner", withIntermediateDirectories: true)
        #expect(throws: MediaError.self) {
            try PNGEncoder.write(width: 1, height: 1, channels: 1, pixels: [UInt8]([0]), to: target)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["taken.png"])
    }
}
