/// A bit-packed binary mask of an image, row-major (bit `y·width + x`), 1 bit per pixel:
/// at 2048×1024 one mask is 256 KiB, so 100 instances cost 26 MiB instead of 800 MiB of floats.
public struct BinaryMask: Sendable, Equatable {
    public let height: Int, width: Int
    /// Bit `i` of the mask is bit `i % 64` of `words[i / 64]`.
    public private(set) var words: [UInt64]

    /// An empty (all false) mask.
    public init(height: Int, width: Int) {
        self.height = height
        self.width = width
        words = [UInt64](repeating: 0, count: (height * width + 63) / 64)
    }

    /// Whether pixel (`y`, `x`) is set.
    public subscript(y: Int, x: Int) -> Bool {
        let i = y * width + x
        return words[i >> 6] >> UInt64(i & 63) & 1 == 1
    }

    /// Sets pixel number `index` (`y·width + x`).
    public mutating func set(_ index: Int) {
        words[index >> 6] |= 1 << UInt64(index & 63)
    }

    /// The number of set pixels.
    public var area: Int { words.reduce(0) { $0 + $1.nonzeroBitCount } }

    /// One byte per pixel (0 or 1), row-major: the official `pred_masks` as uint8.
    public var bytes: [UInt8] {
        (0..<(height * width)).map { UInt8(truncatingIfNeeded: words[$0 >> 6] >> UInt64($0 & 63) & 1) }
    }

    /// Runs of equal values in row-major order, starting with a (possibly empty) run of zeros.
    /// (COCO RLE is column-major: transpose first, or walk `self[y, x]` column by column.)
    public var rowMajorRuns: [Int] {
        var runs: [Int] = []
        var current = false, length = 0
        for i in 0..<(height * width) {
            let v = words[i >> 6] >> UInt64(i & 63) & 1 == 1
            if v != current {
                runs.append(length)
                current = v
                length = 0
            }
            length += 1
        }
        runs.append(length)
        return runs
    }
}

extension BinaryMask {
    /// Replaces the packed words (same count, bits past `height·width` must be 0).
    mutating func setWords(_ w: [UInt64]) {
        precondition(w.count == words.count)
        words = w
    }
}
