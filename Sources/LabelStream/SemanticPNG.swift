import FCCLIP

/// The semantic map as a grayscale PNG pixel buffer: each pixel is its class index.
///
/// Vocabularies of at most 255 classes give 8-bit gray with 255 = void/unlabelled (class
/// indices 0…254 fit below it); larger ones give 16-bit gray with 65535 = void. Labels outside
/// `0..<classCount` are written as void. Writing the PNG file is Media's job.
public enum SemanticPNG {
    public enum Buffer: Sendable, Equatable {
        /// One byte per pixel, row-major; 255 = void.
        case gray8([UInt8])
        /// One 16-bit sample per pixel, row-major (native integers: a PNG writer stores them
        /// big-endian); 65535 = void.
        case gray16([UInt16])

        public var bitDepth: Int {
            switch self {
            case .gray8: return 8
            case .gray16: return 16
            }
        }
    }

    /// The void value for a vocabulary of `classCount` classes: 255 or 65535.
    public static func voidValue(classCount: Int) -> Int { classCount <= 255 ? 255 : 65535 }

    /// The buffer for a row-major class-index map (`labels.count == width·height`, a negative
    /// label means void). `classCount` must be at most 65535.
    public static func labels(_ labels: [Int32], width: Int, height: Int, classCount: Int) -> Buffer {
        precondition(width >= 0 && height >= 0 && labels.count == width * height,
                     "label map has \(labels.count) values, expected \(width)·\(height)")
        precondition(classCount >= 0 && classCount <= 65535, "\(classCount) classes do not fit 16-bit labels")
        let limit = Int32(classCount)
        if classCount <= 255 {
            return .gray8(labels.map { $0 >= 0 && $0 < limit ? UInt8($0) : 255 })
        }
        return .gray16(labels.map { $0 >= 0 && $0 < limit ? UInt16($0) : 65535 })
    }

    /// The semantic buffer of a segmentation: its semantic labels when present, else the
    /// class of each panoptic segment (void where the panoptic id is 0); nil when it has
    /// neither.
    public static func labels(segmentation: Segmentation) -> Buffer? {
        let w = segmentation.width, h = segmentation.height, c = segmentation.classCount
        if let semantic = segmentation.semantic {
            return labels(semantic.labels, width: w, height: h, classCount: c)
        }
        if let panoptic = segmentation.panoptic {
            var category: [Int32: Int32] = [:]
            for s in panoptic.segments { category[s.id] = Int32(s.category) }
            let classes = panoptic.ids.map { $0 == 0 ? -1 : category[$0] ?? -1 }
            return labels(classes, width: w, height: h, classCount: c)
        }
        return nil
    }
}
