/// ftfy 6.1.3's two byte-level touch-ups, applied to re-encoded mojibake before it is decoded
/// as UTF-8: `restore_byte_a0` (a 0xA0 byte that became a space) and
/// `replace_lossy_sequences` (UTF-8 sequences with bytes lost to U+FFFD).
enum MojibakeByteRepairs {
    /// A set of byte values.
    struct ByteSet: Sendable {
        private var bits: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

        init(_ ranges: ClosedRange<UInt8>...) {
            for range in ranges { for byte in range { insert(byte) } }
        }

        private mutating func insert(_ byte: UInt8) {
            let bit = UInt64(1) << UInt64(byte & 63)
            switch byte >> 6 {
            case 0: bits.0 |= bit
            case 1: bits.1 |= bit
            case 2: bits.2 |= bit
            default: bits.3 |= bit
            }
        }

        func contains(_ byte: UInt8) -> Bool {
            let bit = UInt64(1) << UInt64(byte & 63)
            switch byte >> 6 {
            case 0: return bits.0 & bit != 0
            case 1: return bits.1 & bit != 0
            case 2: return bits.2 & bit != 0
            default: return bits.3 & bit != 0
            }
        }
    }

    /// Length of the first alternative (a fixed-length run of byte sets) matching at `start`.
    private static func match(_ alternatives: [[ByteSet]], _ bytes: [UInt8], at start: Int) -> Int? {
        alternatives: for alternative in alternatives {
            guard start + alternative.count <= bytes.count else { continue }
            for (offset, set) in alternative.enumerated() where !set.contains(bytes[start + offset]) { continue alternatives }
            return alternative.count
        }
        return nil
    }

    /// Python's `re.sub` with `alternatives`: non-overlapping matches, left to right.
    private static func substitute(_ alternatives: [[ByteSet]], in bytes: [UInt8],
                                   _ replacement: (ArraySlice<UInt8>) -> [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 8)
        var i = 0
        while i < bytes.count {
            if let length = match(alternatives, bytes, at: i) {
                out.append(contentsOf: replacement(bytes[i..<(i + length)]))
                i += length
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return out
    }

    // MARK: restore_byte_a0

    private static let space = ByteSet(0x20...0x20)
    private static let continuationNotA0or85 = ByteSet(0x80...0x84, 0x86...0x9F, 0xA1...0xBF)
    private static let continuation = ByteSet(0x80...0xBF)
    private static let f0 = ByteSet(0xF0...0xF0)

    /// UTF-8 sequences that would be valid if one space were the byte 0xA0 (only lead bytes
    /// that make likely characters; ftfy's `ALTERED_UTF8_RE`).
    private static let alteredUTF8: [[ByteSet]] = [
        [ByteSet(0xC2...0xC3, 0xC5...0xC5, 0xCE...0xCE, 0xD0...0xD0, 0xD9...0xD9), space],
        [ByteSet(0xE2...0xE3), space, continuationNotA0or85],
        [ByteSet(0xE0...0xE3), continuationNotA0or85, space],
        [f0, space, continuation, continuation],
        [f0, continuation, space, continuation],
        [f0, continuation, continuation, space],
    ]

    /// Whether `restore_byte_a0` applies (ftfy's `ALTERED_UTF8_RE.search`).
    static func hasAlteredUTF8(_ bytes: [UInt8]) -> Bool {
        bytes.indices.contains { match(alteredUTF8, bytes, at: $0) != nil }
    }

    /// `restore_byte_a0`: first "Ã " as a word of its own becomes "à " (0xC3 0xA0 0x20) except
    /// before " ", "quele", "quela", "quilo" and "s " (Portuguese "às", "àquele"…), then the
    /// space inside each sequence of `alteredUTF8` becomes 0xA0.
    static func restoreByteA0(_ bytes: [UInt8]) -> [UInt8] {
        var spaced: [UInt8] = []
        spaced.reserveCapacity(bytes.count + 4)
        var i = 0
        while i < bytes.count {
            if bytes[i] == 0xC3, i + 1 < bytes.count, bytes[i + 1] == 0x20, !startsPortugueseWord(bytes, at: i + 2) {
                spaced.append(contentsOf: [0xC3, 0xA0, 0x20])
                i += 2
            } else {
                spaced.append(bytes[i])
                i += 1
            }
        }
        return substitute(alteredUTF8, in: spaced) { match in match.map { $0 == 0x20 ? 0xA0 : $0 } }
    }

    private static let portugueseExceptions: [[UInt8]] = [" ", "quele", "quela", "quilo", "s "].map { Array($0.utf8) }

    private static func startsPortugueseWord(_ bytes: [UInt8], at start: Int) -> Bool {
        portugueseExceptions.contains { word in
            start + word.count <= bytes.count && bytes[start..<(start + word.count)].elementsEqual(word)
        }
    }

    // MARK: replace_lossy_sequences

    private static let sub = ByteSet(0x1A...0x1A)
    private static let subOrQuestion = ByteSet(0x1A...0x1A, 0x3F...0x3F)
    private static let subOrContinuation = ByteSet(0x1A...0x1A, 0x80...0xBF)
    private static let subQuestionOrContinuation = ByteSet(0x1A...0x1A, 0x3F...0x3F, 0x80...0xBF)
    private static let ed = ByteSet(0xED...0xED)

    /// UTF-8 (and CESU-8) sequences in which some bytes were lost: 0x1A marks a byte that a
    /// sloppy codec wrote for U+FFFD, and "?" may stand for one lost byte (ftfy's
    /// `LOSSY_UTF8_RE`, alternatives in its order).
    private static let lossyUTF8: [[ByteSet]] = [
        [ByteSet(0xC2...0xDF), sub],
        [ByteSet(0xC2...0xC3), ByteSet(0x3F...0x3F)],
        [ed, ByteSet(0xA0...0xAF), subOrQuestion, ed, ByteSet(0xB0...0xBF), subQuestionOrContinuation],
        [ed, ByteSet(0xA0...0xAF), subQuestionOrContinuation, ed, ByteSet(0xB0...0xBF), subOrQuestion],
        [ByteSet(0xE0...0xEF), subOrQuestion, subOrContinuation],
        [ByteSet(0xE0...0xEF), subOrContinuation, subOrQuestion],
        [ByteSet(0xF0...0xF4), subOrQuestion, subOrContinuation, subOrContinuation],
        [ByteSet(0xF0...0xF4), subOrContinuation, subOrQuestion, subOrContinuation],
        [ByteSet(0xF0...0xF4), subOrContinuation, subOrContinuation, subOrQuestion],
        [sub],
    ]

    /// `replace_lossy_sequences`: each lossy sequence becomes the UTF-8 bytes of U+FFFD.
    static func replaceLossySequences(_ bytes: [UInt8]) -> [UInt8] {
        guard bytes.contains(0x1A) || bytes.contains(0x3F) else { return bytes }
        return substitute(lossyUTF8, in: bytes) { _ in [0xEF, 0xBF, 0xBD] }
    }
}
