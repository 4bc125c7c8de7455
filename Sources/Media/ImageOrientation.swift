/// How a decoded picture must be turned to be displayed upright: the eight EXIF
/// orientations (the symmetries of a rectangle), with EXIF's numbering as raw values.
public enum ImageOrientation: Int, Sendable, CaseIterable {
    /// 1: as stored.
    case identity = 1
    /// 2: mirrored left-right.
    case mirrorHorizontal = 2
    /// 3: rotated 180°.
    case rotate180 = 3
    /// 4: mirrored top-bottom.
    case mirrorVertical = 4
    /// 5: transposed (mirrored across the top-left/bottom-right diagonal).
    case transpose = 5
    /// 6: to be rotated 90° clockwise.
    case rotate90Clockwise = 6
    /// 7: transversed (mirrored across the top-right/bottom-left diagonal).
    case transverse = 7
    /// 8: to be rotated 90° counter-clockwise.
    case rotate90CounterClockwise = 8

    /// Whether applying this orientation swaps width and height.
    public var swapsSides: Bool { rawValue >= 5 }

    /// The orientation a display matrix (`AV_FRAME_DATA_DISPLAYMATRIX` /
    /// `AV_PKT_DATA_DISPLAYMATRIX`, 3×3 fixed point) asks for, decided exactly as FFmpeg 6.1+'s
    /// command line tool decides its autorotation filters (rotations by multiples of 90°,
    /// combined with the mirroring the matrix carries). `nil` for a rotation that is not a
    /// multiple of 90° (which segd does not apply).
    public init?(displayMatrix m: [Int32]) {
        guard m.count == 9 else { return nil }
        let rotation = m.withUnsafeBufferPointer { av_display_rotation_get_swift($0.baseAddress!) }
        guard rotation.isFinite else { return nil }
        // fftools' get_rotation(): clockwise degrees in [0, 360).
        var theta = -rotation.rounded()
        theta -= 360 * (theta / 360 + 0.9 / 360).rounded(.down)
        if abs(theta - 90) < 1 {
            self = m[3] > 0 ? .transpose : .rotate90Clockwise
        } else if abs(theta - 180) < 1 {
            switch (m[0] < 0, m[4] < 0) {
            case (true, true): self = .rotate180
            case (true, false): self = .mirrorHorizontal
            case (false, true): self = .mirrorVertical
            case (false, false): self = .identity
            }
        } else if abs(theta - 270) < 1 {
            self = m[3] < 0 ? .transverse : .rotate90CounterClockwise
        } else if abs(theta) < 1 || abs(theta - 360) < 1 {
            self = m[4] < 0 ? .mirrorVertical : .identity
        } else {
            return nil
        }
    }

    /// Applies this orientation to interleaved 8-bit pixels (`channels` bytes per pixel).
    /// Returns the new width, height and pixels.
    public func apply(width: Int, height: Int, channels: Int, pixels: [UInt8]) -> (width: Int, height: Int, pixels: [UInt8]) {
        precondition(pixels.count == width * height * channels, "pixel count does not match \(width)x\(height)x\(channels)")
        if self == .identity { return (width, height, pixels) }
        let (outW, outH) = swapsSides ? (height, width) : (width, height)
        // Source pixel of output (x, y) is at offset base + x·dx + y·dy (in pixels).
        let w = width, h = height
        let (base, dx, dy): (Int, Int, Int)
        switch self {
        case .identity: (base, dx, dy) = (0, 1, w)
        case .mirrorHorizontal: (base, dx, dy) = (w - 1, -1, w)
        case .rotate180: (base, dx, dy) = ((h - 1) * w + w - 1, -1, -w)
        case .mirrorVertical: (base, dx, dy) = ((h - 1) * w, 1, -w)
        case .transpose: (base, dx, dy) = (0, w, 1)                              // in(y, x)
        case .rotate90Clockwise: (base, dx, dy) = ((h - 1) * w, -w, 1)          // in(y, h-1-x)
        case .transverse: (base, dx, dy) = ((h - 1) * w + w - 1, -w, -1)        // in(w-1-y, h-1-x)
        case .rotate90CounterClockwise: (base, dx, dy) = (w - 1, w, -1)         // in(w-1-y, x)
        }
        var out = [UInt8](repeating: 0, count: pixels.count)
        out.withUnsafeMutableBufferPointer { dst in
            pixels.withUnsafeBufferPointer { src in
                var o = 0
                for y in 0..<outH {
                    var s = base + y * dy
                    for _ in 0..<outW {
                        let si = s * channels
                        for c in 0..<channels { dst[o + c] = src[si + c] }
                        o += channels
                        s += dx
                    }
                }
            }
        }
        return (outW, outH, out)
    }
}

import CFFmpeg

/// `av_display_rotation_get` takes `const int32_t[9]`.
@inline(__always)
private func av_display_rotation_get_swift(_ m: UnsafePointer<Int32>) -> Double {
    av_display_rotation_get(m)
}
