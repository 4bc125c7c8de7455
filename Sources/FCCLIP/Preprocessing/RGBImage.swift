/// Why an `RGBImage` could not be made.
public enum RGBImageError: Error, Equatable, CustomStringConvertible {
    /// Width or height is zero or negative.
    case emptySize(width: Int, height: Int)
    /// `pixels.count` is not `width · height · 3`.
    case pixelCountMismatch(width: Int, height: Int, expected: Int, found: Int)

    public var description: String {
        switch self {
        case let .emptySize(width, height):
            return "RGB image size \(width)x\(height) is empty: width and height must be at least 1"
        case let .pixelCountMismatch(width, height, expected, found):
            return "RGB image \(width)x\(height) needs \(expected) bytes (width·height·3) but has \(found)"
        }
    }
}

/// An 8-bit RGB image, rows top to bottom, pixels interleaved RGB (HWC).
///
/// This is the layout of detectron2's `read_image(..., format="RGB")` (uint8 `H×W×3`), which
/// is what FC-CLIP's evaluation mapper resizes.
public struct RGBImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// `height · width · 3` bytes: pixel (y, x) channel c is at `(y · width + x) · 3 + c`.
    public var pixels: [UInt8]

    /// Throws `RGBImageError` if a side is not positive or `pixels.count != width · height · 3`.
    public init(width: Int, height: Int, pixels: [UInt8]) throws {
        guard width > 0, height > 0 else { throw RGBImageError.emptySize(width: width, height: height) }
        let (area, o1) = width.multipliedReportingOverflow(by: height)
        let (expected, o2) = area.multipliedReportingOverflow(by: 3)
        guard !o1, !o2, pixels.count == expected else {
            throw RGBImageError.pixelCountMismatch(
                width: width, height: height, expected: (o1 || o2) ? Int.max : expected, found: pixels.count)
        }
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// For sizes and buffers already known to be consistent.
    init(uncheckedWidth width: Int, height: Int, pixels: [UInt8]) {
        self.width = width
        self.height = height
        self.pixels = pixels
    }
}
