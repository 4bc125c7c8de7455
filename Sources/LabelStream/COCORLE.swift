import FCCLIP

/// A binary mask in COCO's run-length encoding, exactly as pycocotools (`maskApi.c`) builds it.
///
/// `counts` are the run lengths over the mask read in column-major (Fortran) order, i.e.
/// pixel index `x·height + y`, starting with a (possibly empty) run of zeros and alternating
/// zeros/ones; the last run is whatever run is in progress at the end (a mask ending in a set
/// pixel has no trailing zero run, an empty mask is `[height·width]`). `string` is the
/// compressed form of `counts` (`rleToString`) that `pycocotools.mask.decode` reads as
/// `{"size": [height, width], "counts": string}`.
///
/// Encoders live in `COCORLE+Encoding.swift`, the string codec in `COCORLE+String.swift`.
public struct COCORLE: Sendable, Hashable {
    public let height: Int
    public let width: Int
    /// Uncompressed run lengths, column-major, starting with zeros; they sum to `height·width`.
    public let counts: [Int]

    /// Throws `COCORLEError` unless every count is ≥ 0 and they sum to `height·width`.
    public init(height: Int, width: Int, counts: [Int]) throws {
        guard height >= 0, width >= 0 else { throw COCORLEError.badSize(height: height, width: width) }
        var sum = 0
        for c in counts {
            guard c >= 0 else { throw COCORLEError.negativeCount(c) }
            sum += c
        }
        guard sum == height * width else {
            throw COCORLEError.countsDoNotCoverMask(sum: sum, pixels: height * width)
        }
        self.init(unchecked: height, width: width, counts: counts)
    }

    init(unchecked height: Int, width: Int, counts: [Int]) {
        self.height = height
        self.width = width
        self.counts = counts
    }

    /// `[height, width]`, COCO's `size` field.
    public var size: [Int] { [height, width] }

    /// Number of set pixels (`pycocotools.mask.area`): the sum of the odd-index runs.
    public var area: Int {
        var a = 0
        var i = 1
        while i < counts.count { a += counts[i]; i += 2 }
        return a
    }

    /// `[x, y, width, height]` of the set pixels, as `pycocotools.mask.toBbox` (`rleToBbox`)
    /// computes it, as integers (pycocotools returns the same values as floats); all zeros
    /// for an empty mask.
    public var bbox: [Int] {
        let m = counts.count / 2 * 2
        guard m > 0, height > 0 else { return [0, 0, 0, 0] }
        let h = height
        var xs = width, ys = h, xe = 0, ye = 0, cc = 0, xp = 0
        for j in 0..<m {
            cc += counts[j]
            let t = cc - j % 2
            let y = t % h, x = t / h
            if j % 2 == 0 {
                xp = x
            } else if xp < x {
                // The run wraps from one column into the next: it touches the top and bottom row.
                ys = 0
                ye = h - 1
            }
            xs = min(xs, x); xe = max(xe, x); ys = min(ys, y); ye = max(ye, y)
        }
        return [xs, ys, xe - xs + 1, ye - ys + 1]
    }

    /// The mask as one byte per pixel (0 or 1), row-major (`y·width + x`).
    public func decode() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: height * width)
        guard height > 0 else { return out }
        var position = 0
        for (i, run) in counts.enumerated() {
            if i % 2 == 1 {
                for p in position..<(position + run) {
                    let x = p / height, y = p - x * height
                    out[y * width + x] = 1
                }
            }
            position += run
        }
        return out
    }

    /// The mask as a `BinaryMask`.
    public func decodeMask() -> BinaryMask {
        var mask = BinaryMask(height: height, width: width)
        guard height > 0 else { return mask }
        var position = 0
        for (i, run) in counts.enumerated() {
            if i % 2 == 1 {
                for p in position..<(position + run) {
                    let x = p / height, y = p - x * height
                    mask.set(y * width + x)
                }
            }
            position += run
        }
        return mask
    }
}

/// Why a COCO RLE could not be made or read.
public enum COCORLEError: Error, Equatable, CustomStringConvertible {
    case badSize(height: Int, width: Int)
    case negativeCount(Int)
    case countsDoNotCoverMask(sum: Int, pixels: Int)
    /// A `counts` string byte outside `"0"…"o"` (48…111).
    case badCharacter(offset: Int, byte: UInt8)
    /// The string ends inside a number, or a number has too many chunks.
    case malformedNumber(offset: Int)

    public var description: String {
        switch self {
        case let .badSize(h, w): return "RLE size [\(h), \(w)] is negative"
        case let .negativeCount(c): return "RLE run length \(c) is negative"
        case let .countsDoNotCoverMask(sum, pixels):
            return "RLE runs cover \(sum) pixels but the mask has \(pixels) (height·width)"
        case let .badCharacter(offset, byte):
            return "RLE counts string has byte \(byte) at offset \(offset), outside the 48…111 alphabet"
        case let .malformedNumber(offset): return "RLE counts string has a malformed number at offset \(offset)"
        }
    }
}
