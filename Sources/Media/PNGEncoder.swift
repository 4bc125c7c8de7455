import CZlib

/// Encodes gray or RGB images, 8 or 16 bits per sample, as PNG (pure Swift plus zlib).
///
/// * Non-interlaced, colour type 0 (gray) or 2 (RGB), no ancillary chunks (no gamma or colour
///   profile: samples are written as given).
/// * 16-bit samples are written big-endian, as PNG requires.
/// * Each row gets the filter that minimises the sum of absolute filtered bytes
///   (`PNGRowFilter`), then the whole image is deflated with `compress2` at
///   `compressionLevel` (zlib's 0…9, default 6) and stored in IDAT chunks of at most 1 MiB.
/// * Wrong arguments (channels not 1 or 3, a bit depth that does not fit the sample type, a
///   pixel count that is not `width · height · channels`, a side < 1 or ≥ 2³¹) are programming
///   errors and stop the program with a message (`precondition`).
public enum PNGEncoder {
    /// PNG bytes of an 8-bit image. `pixels` holds `height` rows of `width · channels` samples,
    /// channels interleaved. `bitDepth` must be 8, or 16 when `pixels` already holds each
    /// 16-bit sample as two bytes, most significant first.
    public static func encode(width: Int, height: Int, channels: Int, bitDepth: Int = 8, pixels: [UInt8],
                              compressionLevel: Int = 6) -> [UInt8] {
        precondition(bitDepth == 8 || bitDepth == 16, "PNGEncoder: bitDepth \(bitDepth) with [UInt8] samples must be 8 or 16")
        let sampleBytes = bitDepth / 8
        checkArguments(width: width, height: height, channels: channels, count: pixels.count / sampleBytes,
                       exact: pixels.count % sampleBytes == 0)
        return pixels.withUnsafeBufferPointer { samples in
            assemble(width: width, height: height, channels: channels, bitDepth: bitDepth, rows: samples,
                     level: compressionLevel)
        }
    }

    /// PNG bytes of a 16-bit image (`bitDepth` must be 16). `pixels` holds `height` rows of
    /// `width · channels` samples, channels interleaved.
    public static func encode(width: Int, height: Int, channels: Int, bitDepth: Int = 16, pixels: [UInt16],
                              compressionLevel: Int = 6) -> [UInt8] {
        precondition(bitDepth == 16, "PNGEncoder: [UInt16] samples need bitDepth 16, not \(bitDepth)")
        checkArguments(width: width, height: height, channels: channels, count: pixels.count, exact: true)
        var bigEndian = [UInt8](repeating: 0, count: pixels.count * 2)
        bigEndian.withUnsafeMutableBufferPointer { out in
            pixels.withUnsafeBufferPointer { src in
                for i in 0..<src.count {
                    out[2 * i] = UInt8(truncatingIfNeeded: src[i] >> 8)
                    out[2 * i + 1] = UInt8(truncatingIfNeeded: src[i])
                }
            }
        }
        return bigEndian.withUnsafeBufferPointer { samples in
            assemble(width: width, height: height, channels: channels, bitDepth: 16, rows: samples,
                     level: compressionLevel)
        }
    }

    /// Encodes an 8-bit image and writes it atomically to `path` (see `AtomicFileWriter`: no
    /// partial PNG ever appears under `path`). Throws `MediaError.writeFailed`.
    public static func write(width: Int, height: Int, channels: Int, bitDepth: Int = 8, pixels: [UInt8],
                             to path: String, durable: Bool = false) throws {
        let png = encode(width: width, height: height, channels: channels, bitDepth: bitDepth, pixels: pixels)
        try AtomicFileWriter.write(png, to: path, durable: durable)
    }

    /// Encodes a 16-bit image and writes it atomically to `path`. Throws `MediaError.writeFailed`.
    public static func write(width: Int, height: Int, channels: Int, bitDepth: Int = 16, pixels: [UInt16],
                             to path: String, durable: Bool = false) throws {
        let png = encode(width: width, height: height, channels: channels, bitDepth: bitDepth, pixels: pixels)
        try AtomicFileWriter.write(png, to: path, durable: durable)
    }

    // MARK: - Assembly

    private static func checkArguments(width: Int, height: Int, channels: Int, count: Int, exact: Bool) {
        precondition(channels == 1 || channels == 3, "PNGEncoder: channels must be 1 (gray) or 3 (RGB), not \(channels)")
        precondition(width >= 1 && height >= 1 && width < (1 << 31) && height < (1 << 31),
                     "PNGEncoder: size \(width)x\(height) is outside 1…2³¹-1")
        let (area, o1) = width.multipliedReportingOverflow(by: height)
        let (expected, o2) = area.multipliedReportingOverflow(by: channels)
        precondition(!o1 && !o2 && exact && count == expected,
                     "PNGEncoder: \(width)x\(height)x\(channels) needs \(expected) samples, got \(count)")
    }

    private static func assemble(width: Int, height: Int, channels: Int, bitDepth: Int,
                                 rows: UnsafeBufferPointer<UInt8>, level: Int) -> [UInt8] {
        let bpp = channels * bitDepth / 8
        let rowBytes = width * bpp
        var filtered = [UInt8](repeating: 0, count: height * (1 + rowBytes))
        filtered.withUnsafeMutableBufferPointer { dst in
            PNGRowFilter.filter(src: rows, rowBytes: rowBytes, height: height, bpp: bpp, into: dst)
        }
        let compressed = deflate(filtered, level: level)

        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        png.reserveCapacity(compressed.count + 128)
        var header: [UInt8] = []
        appendBE32(&header, UInt32(width))
        appendBE32(&header, UInt32(height))
        header += [UInt8(bitDepth), channels == 1 ? 0 : 2, 0, 0, 0]  // colour type, deflate, filter 0, no interlace
        appendChunk(&png, "IHDR", header[...])
        let maxChunk = 1 << 20
        var start = 0
        repeat {
            let end = min(start + maxChunk, compressed.count)
            appendChunk(&png, "IDAT", compressed[start..<end])
            start = end
        } while start < compressed.count
        appendChunk(&png, "IEND", [][...])
        return png
    }

    /// zlib stream of `data` (`compress2`).
    private static func deflate(_ data: [UInt8], level: Int) -> [UInt8] {
        var bound = compressBound(uLong(data.count))
        var out = [UInt8](repeating: 0, count: Int(bound))
        let status: Int32 = out.withUnsafeMutableBufferPointer { dst in
            data.withUnsafeBufferPointer { src in
                compress2(dst.baseAddress, &bound, src.baseAddress, uLong(src.count), Int32(max(0, min(9, level))))
            }
        }
        // compress2 with a compressBound-sized buffer fails only when memory runs out.
        precondition(status == Z_OK, "PNGEncoder: zlib compress2 failed with status \(status)")
        out.removeLast(out.count - Int(bound))
        return out
    }

    private static func appendBE32(_ bytes: inout [UInt8], _ v: UInt32) {
        bytes += [UInt8(v >> 24), UInt8(truncatingIfNeeded: v >> 16), UInt8(truncatingIfNeeded: v >> 8), UInt8(truncatingIfNeeded: v)]
    }

    private static func appendChunk(_ png: inout [UInt8], _ type: String, _ data: ArraySlice<UInt8>) {
        appendBE32(&png, UInt32(data.count))
        let typeStart = png.count
        png += Array(type.utf8)
        png += data
        let crc: uLong = png.withUnsafeBufferPointer { all in
            crc32(0, all.baseAddress! + typeStart, uInt(all.count - typeStart))
        }
        appendBE32(&png, UInt32(truncatingIfNeeded: crc))
    }
}
