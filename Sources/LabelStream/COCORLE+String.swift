/// COCO's compressed `counts` string (`rleToString` / `rleFrString` of pycocotools' maskApi.c).
///
/// Each count (from the fourth on, the difference to the count two places before it — runs of
/// the same value are similar) is written as little-endian 5-bit chunks of a two's-complement
/// number; a chunk has bit 0x20 set when more chunks follow, and each chunk is stored as the
/// character `48 + chunk`. A number ends when the remaining value is 0 (or -1 for negatives,
/// which the sign bit 0x10 of the last chunk tells).
extension COCORLE {
    /// The compressed `counts` string, byte for byte what pycocotools produces.
    public var string: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(counts.count * 2)
        for i in counts.indices {
            var x = counts[i]
            if i > 2 { x -= counts[i - 2] }
            var more = true
            while more {
                var c = x & 0x1f
                x >>= 5  // arithmetic shift, as C's `long` in maskApi.c
                more = (c & 0x10) != 0 ? x != -1 : x != 0
                if more { c |= 0x20 }
                bytes.append(UInt8(c + 48))
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Parses a pycocotools `{"size": [height, width], "counts": string}` RLE.
    /// Throws `COCORLEError` for a malformed string or runs that do not cover the mask.
    public init(height: Int, width: Int, string: String) throws {
        try self.init(height: height, width: width, counts: COCORLE.counts(fromString: string))
    }

    /// The run lengths encoded in a compressed `counts` string.
    public static func counts(fromString string: String) throws -> [Int] {
        var counts: [Int] = []
        var x = 0, k = 0
        for (offset, byte) in string.utf8.enumerated() {
            guard byte >= 48, byte < 48 + 64 else { throw COCORLEError.badCharacter(offset: offset, byte: byte) }
            guard k < 12 else { throw COCORLEError.malformedNumber(offset: offset) }
            let c = Int(byte) - 48
            x |= (c & 0x1f) << (5 * k)
            k += 1
            if c & 0x20 == 0 {
                if c & 0x10 != 0 { x |= -1 << (5 * k) }
                if counts.count > 2 { x += counts[counts.count - 2] }
                counts.append(x)
                x = 0
                k = 0
            }
        }
        guard k == 0 else { throw COCORLEError.malformedNumber(offset: string.utf8.count) }
        return counts
    }
}
