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
///
/// An instance keeps its `SwsContext` between frames (a video's frames share size, pixel format
/// and colour description) and rebuilds it only when one of those changes mid-stream; the static
/// `rgb24(_:)` converts a single picture with a throw-away instance.
final class FrameConverter {
    /// What the cached context was made for.
    private struct Key: Equatable {
        var width: Int32, height: Int32, format: Int32, colorspace: Int32, fullRange: Bool
    }
    private var sws: OpaquePointer? = nil
    private var key: Key? = nil

    /// Whether to use swscale's fast path (see `init(fast:)`).
    let fast: Bool

    /// `fast: false` (the default): bicubic, accurate rounding and full chroma interpolation,
    /// identical to the CLI with `-sws_flags bicubic+accurate_rnd+full_chroma_int`.
    /// `fast: true`: swscale's default bilinear flags, which take its SIMD YUV→RGB path — several
    /// times faster on large frames, at most a few levels different, chroma edges slightly softer.
    init(fast: Bool = false) { self.fast = fast }
    deinit { sws_freeContext(sws) }

    /// Packed RGB24 pixels of `frame`, or FFmpeg's reason on failure.
    static func rgb24(_ frame: UnsafeMutablePointer<AVFrame>) -> Result<[UInt8], ConversionFailure> {
        FrameConverter().rgb24(frame)
    }

    /// Packed RGB24 pixels of `frame` (`width · height · 3` bytes), or FFmpeg's reason on failure.
    func rgb24(_ frame: UnsafeMutablePointer<AVFrame>) -> Result<[UInt8], ConversionFailure> {
        let width = frame.pointee.width, height = frame.pointee.height
        guard width > 0, height > 0 else { return .failure(ConversionFailure(reason: "decoded picture has no size")) }
        var format = AVPixelFormat(rawValue: frame.pointee.format)
        guard format != AV_PIX_FMT_NONE, let descriptor = av_pix_fmt_desc_get(format) else {
            return .failure(ConversionFailure(reason: "decoded picture has an unknown pixel format"))
        }
        var fullRange = frame.pointee.color_range == AVCOL_RANGE_JPEG
        if let plain = Self.unJPEG(format) { format = plain; fullRange = true }
        let wanted = Key(width: width, height: height, format: format.rawValue,
                         colorspace: Int32(frame.pointee.colorspace.rawValue), fullRange: fullRange)
        if wanted != key || sws == nil {
            sws_freeContext(sws)
            sws = nil
            key = nil
            let flags = fast ? Int32(SWS_BILINEAR) : Int32(SWS_BICUBIC | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT)
            guard let made = sws_getContext(width, height, format, width, height, AV_PIX_FMT_RGB24, flags, nil, nil, nil) else {
                let name = av_get_pix_fmt_name(format).map { String(cString: $0) } ?? "\(format.rawValue)"
                return .failure(ConversionFailure(reason: "libswscale cannot convert pixel format \(name) to rgb24"))
            }
            let isRGB = descriptor.pointee.flags & UInt64(AV_PIX_FMT_FLAG_RGB) != 0
            let isPalette = descriptor.pointee.flags & UInt64(AV_PIX_FMT_FLAG_PAL) != 0
            if !isRGB, !isPalette, descriptor.pointee.nb_components >= 3 {
                let known: Set<Int32> = [1, 4, 5, 6, 7, 9, 10]  // SWS_CS_* share AVColorSpace's numbering
                let matrix = sws_getCoefficients(known.contains(wanted.colorspace) ? wanted.colorspace : SWS_CS_DEFAULT)
                _ = sws_setColorspaceDetails(made, matrix, fullRange ? 1 : 0, sws_getCoefficients(SWS_CS_DEFAULT), 1,
                                             0, 1 << 16, 1 << 16)
            }
            sws = made
            key = wanted
        }
        let context = sws

        let rowBytes = Int(width) * 3
        var written: Int32 = 0
        // swscale writes every byte of the destination, so the array need not be zeroed first.
        let pixels = [UInt8](unsafeUninitializedCapacity: rowBytes * Int(height)) { dst, count in
            var dstPlanes: [UnsafeMutablePointer<UInt8>?] = [dst.baseAddress, nil, nil, nil]
            var dstStrides: [Int32] = [Int32(rowBytes), 0, 0, 0]
            written = withUnsafePointer(to: &frame.pointee.data) { dataTuple in
                dataTuple.withMemoryRebound(to: UnsafePointer<UInt8>?.self, capacity: Int(AV_NUM_DATA_POINTERS)) { src in
                    withUnsafePointer(to: &frame.pointee.linesize) { strideTuple in
                        strideTuple.withMemoryRebound(to: Int32.self, capacity: Int(AV_NUM_DATA_POINTERS)) { srcStrides in
                            sws_scale(context, src, srcStrides, 0, height, &dstPlanes, &dstStrides)
                        }
                    }
                }
            }
            count = dst.count
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
