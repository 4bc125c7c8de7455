/// COCO's panoptic PNG encoding: segment id `id = R + 256·G + 256²·B`, 0 = void.
public enum PanopticID {
    /// The RGB triple that encodes `id` (0 ≤ id < 2²⁴).
    public static func rgb(_ id: Int32) -> (r: UInt8, g: UInt8, b: UInt8) {
        precondition(id >= 0 && id < 1 << 24, "panoptic id \(id) does not fit in 24 bits")
        return (UInt8(id & 0xff), UInt8((id >> 8) & 0xff), UInt8((id >> 16) & 0xff))
    }

    /// The id encoded by an RGB triple.
    public static func id(r: UInt8, g: UInt8, b: UInt8) -> Int32 {
        Int32(r) | Int32(g) << 8 | Int32(b) << 16
    }
}
