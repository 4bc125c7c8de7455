/// The panoptic map as a COCO panoptic PNG pixel buffer (8-bit RGB, row-major, interleaved):
/// each pixel is its segment id encoded by `PanopticID.rgb` (`id = R + 256·G + 256²·B`,
/// 0 = void = black). Writing the PNG file is Media's job.
public enum PanopticPNG {
    /// `width·height·3` bytes for the row-major id map `ids` (`ids.count == width·height`,
    /// every id in 0..<2²⁴).
    public static func rgb(ids: [Int32], width: Int, height: Int) -> [UInt8] {
        precondition(width >= 0 && height >= 0 && ids.count == width * height,
                     "panoptic map has \(ids.count) ids, expected \(width)·\(height)")
        var out = [UInt8](repeating: 0, count: ids.count * 3)
        out.withUnsafeMutableBufferPointer { o in
            ids.withUnsafeBufferPointer { p in
                for i in 0..<p.count where p[i] != 0 {
                    let c = PanopticID.rgb(p[i])
                    o[3 * i] = c.r
                    o[3 * i + 1] = c.g
                    o[3 * i + 2] = c.b
                }
            }
        }
        return out
    }

    /// Decodes a panoptic PNG buffer back to ids (for tests and consumers).
    public static func ids(rgb: [UInt8]) -> [Int32] {
        precondition(rgb.count % 3 == 0, "RGB buffer length \(rgb.count) is not a multiple of 3")
        return (0..<(rgb.count / 3)).map { PanopticID.id(r: rgb[3 * $0], g: rgb[3 * $0 + 1], b: rgb[3 * $0 + 2]) }
    }
}
