import CFFmpeg

/// Converts a decoded `AVFrame` of any pixel format to packed 8-bit RGB with libswscale.
///
/// * Same size in and out (no scaling); `SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT` so chroma is
///   interpolated to every pixel and rounding is exact rather than fast.
/// * YUV input uses the frame's colour matrix (BT.601 when unspecified) and its range: the
///   deprecated `yuvj*` formats that FFmpeg's JPEG decoder produces are mapped to `yuv*` with
///   full range, as FFmpeg's own filters do. Gray input is full range (swscale's convention).
/// * Alpha is dropped, not composited: each pixel keeps its stored colour whatever its
///   opacity, the same result as PIL's `Image.convert("RGB")` (which detectron2's
///   `read_image(..., format="RGB")` uses) for RGBA and LA PNGs.
/// * 9- to 16-bit samples are reduced to 8 bits by swscale.
enum FrameConverter {
    /// Packed RGB24 pixels of `frame`, or FFmpeg's reason on failure.
    static func rgb24(_ frame: UnsafeMutablePointer<AVFrame>) -> Result<[UInt8], ConversionFailure> {
        let width = frame.pointee.width, height = frame.pointee.height
        guard width > 0, height > 0 else { return .failure(ConversionFailure(reason: "decoded picture has no size")) }
        var format = AVPixelFormat(rawValue: frame.pointee.format)
        guard format != AV_PIX_FMT_NONE, let descriptor = av_pix_fmt_desc_get(format) else {
            return .failure(ConversionFailure(reason: "decoded picture has an unknown pixel format"))
        }
        var fullRange = frame.pointee.color_range == AVCOL_RANGE_JPEG
        if let plain = unJPEG(format) { format = plain; fullRange = true }
        let flags = Int32(SWS_BICUBIC | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT)
        guard let sws = sws_getContext(width, height, format, width, height, AV_PIX_FMT_RGB24, flags, nil, nil, nil) else {
            let name = av_get_pix_fmt_name(format).map { String(cString: $0) } ?? "\(format.rawValue)"
            return .failure(ConversionFailure(reason: "libswscale cannot convert pixel format \(name) to rgb24"))
        }
        defer { sws_freeContext(sws) }

        let isRGB = descriptor.pointee.flags & UInt64(AV_PIX_FMT_FLAG_RGB) != 0
        let isPalette = descriptor.pointee.flags & UInt64(AV_PIX_FMT_FLAG_PAL) != 0
        if !isRGB, !isPalette, descriptor.pointee.nb_components >= 3 {
            let space = Int32(frame.pointee.colorspace.rawValue)
            let known: Set<Int32> = [1, 4, 5, 6, 7, 9, 10]  // SWS_CS_* share AVColorSpace's numbering
            let matrix = sws_getCoefficients(known.contains(space) ? space : SWS_CS_DEFAULT)
            _ = sws_setColorspaceDetails(sws, matrix, fullRange ? 1 : 0, sws_getCoefficients(SWS_CS_DEFAULT), 1,
                                         0, 1 << 16, 1 << 16)
        }

        let rowBytes = Int(width) * 3
        var pixels = [UInt8](repeating: 0, count: rowBytes * Int(height))
        let written: Int32 = pixels.withUnsafeMutableBufferPointer { dst in
            var dstPlanes: [UnsafeMutablePointer<UInt8>?] = [dst.baseAddress, nil, nil, nil]
            var dstStrides: [Int32] = [Int32(rowBytes), 0, 0, 0]
            return withUnsafePointer(to: &frame.pointee.data) { dataTuple in
                dataTuple.withMemoryRebound(to: UnsafePointer<UInt8>?.self, capacity: Int(AV_NUM_DATA_POINTERS)) { src in
                    withUnsafePointer(to: &frame.pointee.linesize) { strideTuple in
                        strideTuple.withMemoryRebound(to: Int32.self, capacity: Int(AV_NUM_DATA_POINTERS)) { srcStrides in
                            sws_scale(sws, src, srcStrides, 0, height, &dstPlanes, &dstStrides)
                        }
                    }
                }
            }
        }
        guard written == height else {
            return .failure(ConversionFailure(reason: "libswscale produced \(written) of \(height) rows"))
        }
        return .success(pixels)
    }

    struct ConversionFailure: Error { let reason: String }

    /// The `yuv*` format behind a deprecated full-range `yuvj*` one.
    private static func unJPEG(_ f: AVPixelFormat) -> AVPixelFormat? {
        switch f {
        case AV_PIX_FMT_YUVJ420P: return AV_PIX_FMT_YUV420P
        case AV_PIX_FMT_YUVJ422P: return AV_PIX_FMT_YUV422P
        case AV_PIX_FMT_YUVJ444P: return AV_PIX_FMT_YUV444P
        case AV_PIX_FMT_YUVJ440P: return AV_PIX_FMT_YUV440P
        case AV_PIX_FMT_YUVJ411P: return AV_PIX_FMT_YUV411P
        default: return nil
        }
    }
}
