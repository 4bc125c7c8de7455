import CFFmpeg

/// Packed RGB24 → planar YUV 4:2:0 (BT.601, limited range) with one reused `SwsContext`.
///
/// Pictures with an odd side are first copied into an even-sized buffer whose extra column
/// (row) repeats the last one, since yuv420p needs even sides.
final class RGBToYUVConverter {
    let width: Int, height: Int, codedWidth: Int, codedHeight: Int
    private let sws: OpaquePointer
    /// The padded RGB picture (empty when no padding is needed).
    private var padded: [UInt8]

    init?(width: Int, height: Int, codedWidth: Int, codedHeight: Int) {
        let flags = Int32(SWS_BICUBIC | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INP)
        guard let sws = sws_getContext(Int32(codedWidth), Int32(codedHeight), AV_PIX_FMT_RGB24,
                                       Int32(codedWidth), Int32(codedHeight), AV_PIX_FMT_YUV420P,
                                       flags, nil, nil, nil) else { return nil }
        // Full-range RGB in, BT.601 limited-range YUV out (swscale's default, made explicit).
        let bt601 = sws_getCoefficients(SWS_CS_ITU601)
        _ = sws_setColorspaceDetails(sws, bt601, 1, bt601, 0, 0, 1 << 16, 1 << 16)
        self.sws = sws
        self.width = width
        self.height = height
        self.codedWidth = codedWidth
        self.codedHeight = codedHeight
        padded = (width == codedWidth && height == codedHeight) ? [] : [UInt8](repeating: 0, count: codedWidth * codedHeight * 3)
    }

    deinit { sws_freeContext(sws) }

    /// Converts `pixels` (`height` rows of `width · 3` bytes) into `frame`'s planes, which
    /// must be writable and `codedWidth × codedHeight` yuv420p. False when swscale fails.
    func convert(_ pixels: [UInt8], into frame: UnsafeMutablePointer<AVFrame>) -> Bool {
        if padded.isEmpty { return scale(pixels, into: frame) }
        let rowIn = width * 3, rowOut = codedWidth * 3
        padded.withUnsafeMutableBufferPointer { dst in
            pixels.withUnsafeBufferPointer { src in
                for y in 0..<codedHeight {
                    let sy = min(y, height - 1)
                    let s = src.baseAddress! + sy * rowIn, d = dst.baseAddress! + y * rowOut
                    d.update(from: s, count: rowIn)
                    if codedWidth > width { (d + rowIn).update(from: s + rowIn - 3, count: 3) }
                }
            }
        }
        return scale(padded, into: frame)
    }

    private func scale(_ rgb: [UInt8], into frame: UnsafeMutablePointer<AVFrame>) -> Bool {
        let h = Int32(codedHeight)
        let rows: Int32 = rgb.withUnsafeBufferPointer { src in
            var srcPlanes: [UnsafePointer<UInt8>?] = [src.baseAddress, nil, nil, nil]
            var srcStrides: [Int32] = [Int32(codedWidth * 3), 0, 0, 0]
            return withUnsafeMutablePointer(to: &frame.pointee.data) { dataTuple in
                dataTuple.withMemoryRebound(to: UnsafeMutablePointer<UInt8>?.self, capacity: Int(AV_NUM_DATA_POINTERS)) { dst in
                    withUnsafeMutablePointer(to: &frame.pointee.linesize) { strideTuple in
                        strideTuple.withMemoryRebound(to: Int32.self, capacity: Int(AV_NUM_DATA_POINTERS)) { dstStrides in
                            sws_scale(sws, &srcPlanes, &srcStrides, 0, h, dst, dstStrides)
                        }
                    }
                }
            }
        }
        return rows == h
    }
}
