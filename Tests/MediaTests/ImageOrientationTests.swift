import Foundation
import Testing
import CFFmpeg
import FCCLIP
import Media

@Suite struct ImageOrientationTests {
    /// A 3x2 one-channel image
    ///     1 2 3
    ///     4 5 6
    /// in each EXIF orientation, written out by hand.
    @Test func allEightOrientationsOnAHandDrawnImage() {
        let pixels: [UInt8] = [1, 2, 3, 4, 5, 6]
        let expected: [ImageOrientation: (Int, Int, [UInt8])] = [
            .identity: (3, 2, [1, 2, 3, 4, 5, 6]),
            .mirrorHorizontal: (3, 2, [3, 2, 1, 6, 5, 4]),
            .rotate180: (3, 2, [6, 5, 4, 3, 2, 1]),
            .mirrorVertical: (3, 2, [4, 5, 6, 1, 2, 3]),
            .transpose: (2, 3, [1, 4, 2, 5, 3, 6]),
            .rotate90Clockwise: (2, 3, [4, 1, 5, 2, 6, 3]),
            .transverse: (2, 3, [6, 3, 5, 2, 4, 1]),
            .rotate90CounterClockwise: (2, 3, [3, 6, 2, 5, 1, 4]),
        ]
        for o in ImageOrientation.allCases {
            let r = o.apply(width: 3, height: 2, channels: 1, pixels: pixels)
            let e = expected[o]!
            #expect(r.width == e.0 && r.height == e.1 && r.pixels == e.2, "\(o)")
        }
    }

    /// Display matrices made by libavutil map to the orientation FFmpeg's CLI would apply.
    @Test func displayMatrices() {
        func matrix(rotation: Double, hflip: Bool = false, vflip: Bool = false) -> [Int32] {
            var m = [Int32](repeating: 0, count: 9)
            m.withUnsafeMutableBufferPointer { p in
                av_display_rotation_set(p.baseAddress, rotation)
                av_display_matrix_flip(p.baseAddress, hflip ? 1 : 0, vflip ? 1 : 0)
            }
            return m
        }
        // FFmpeg 5.1 JPEG decoder: EXIF 6 ("rotate 90° clockwise") → av_display_rotation_set(m, 90).
        #expect(ImageOrientation(displayMatrix: matrix(rotation: 0)) == .identity)
        #expect(ImageOrientation(displayMatrix: matrix(rotation: 90)) == .rotate90Clockwise)
        #expect(ImageOrientation(displayMatrix: matrix(rotation: -90)) == .rotate90CounterClockwise)
        #expect(ImageOrientation(displayMatrix: matrix(rotation: 180)) == .rotate180)
        #expect(ImageOrientation(displayMatrix: matrix(rotation: 0, hflip: true)) != nil)
        #expect(ImageOrientation(displayMatrix: matrix(rotation: 45)) == nil)
        #expect(ImageOrientation(displayMatrix: [1, 2]) == nil)
    }

    /// A JPEG whose EXIF says "rotate 90° clockwise" comes out upright: the same decoded
    /// pixels as the plain JPEG, rotated.
    @Test func exifOrientationOfJPEG() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let plainPath = dir.file("plain.jpg")
        try FFmpegCLI.make(plainPath, source: "testsrc2=size=64x32")
        let plain = try ImageDecoder.decode(path: plainPath)
        #expect(plain.width == 64 && plain.height == 32)
        let jpeg = try [UInt8](Data(contentsOf: URL(fileURLWithPath: plainPath)))
        for orientation in 1...8 {
            let path = dir.file("o\(orientation).jpg")
            try Data(withEXIFOrientation(jpeg, orientation)).write(to: URL(fileURLWithPath: path))
            let image = try ImageDecoder.decode(path: path)
            let o = ImageOrientation(rawValue: orientation)!
            let expected = o.apply(width: 64, height: 32, channels: 3, pixels: plain.pixels)
            #expect(image.width == expected.width && image.height == expected.height, "orientation \(orientation)")
            do { let same = image.pixels == expected.pixels; #expect(same, "orientation \(orientation)") }
        }
        // Orientation 6 spelled out: output (x, y) is input (y, h-1-x).
        let six = try ImageDecoder.decode(path: dir.file("o6.jpg"))
        #expect(six.width == 32 && six.height == 64)
        for (x, y) in [(0, 0), (31, 0), (0, 63), (17, 40)] {
            let out = (y * 32 + x) * 3, src = ((31 - x) * 64 + y) * 3
            #expect(Array(six.pixels[out..<out + 3]) == Array(plain.pixels[src..<src + 3]))
        }
    }

    /// Inserts an APP1 Exif segment with one IFD entry, Orientation = `value`, after SOI.
    private func withEXIFOrientation(_ jpeg: [UInt8], _ value: Int) -> [UInt8] {
        var tiff: [UInt8] = [0x49, 0x49, 0x2A, 0x00, 8, 0, 0, 0]   // "II*\0", IFD at 8
        tiff += [1, 0]                                              // one entry
        tiff += [0x12, 0x01, 3, 0, 1, 0, 0, 0, UInt8(value), 0, 0, 0] // tag 0x0112 SHORT ×1
        tiff += [0, 0, 0, 0]                                        // no next IFD
        let payload: [UInt8] = Array("Exif".utf8) + [0, 0] + tiff
        let length = payload.count + 2
        return [0xFF, 0xD8, 0xFF, 0xE1, UInt8(length >> 8), UInt8(length & 0xFF)] + payload + jpeg[2...]
    }
}
