import CFFmpeg

/// Refuses, inside the decoder, a picture with a side over `maxSide` before its pixel buffer is
/// allocated: a `get_buffer2` callback that compares the size the decoder has just parsed
/// from the bitstream with the limit, remembers it and fails the allocation with
/// `AVERROR(ERANGE)`. This covers formats whose size segd cannot read from a header itself.
final class DecoderSizeGuard {
    let maxSide: Int
    /// The size of the refused picture, once one was refused.
    private(set) var refused: (width: Int, height: Int)?

    init(maxSide: Int) { self.maxSide = maxSide }

    /// Installs the callback on `context` (not yet opened). `self` must outlive the decoding.
    func install(on context: UnsafeMutablePointer<AVCodecContext>) {
        context.pointee.opaque = Unmanaged.passUnretained(self).toOpaque()
        context.pointee.get_buffer2 = { context, frame, flags in
            if let context, let opaque = context.pointee.opaque {
                let sizeGuard = Unmanaged<DecoderSizeGuard>.fromOpaque(opaque).takeUnretainedValue()
                // The display size (the frame's may be the larger coded size, e.g. 1088 for 1080).
                let width = Int(context.pointee.width), height = Int(context.pointee.height)
                if width > sizeGuard.maxSide || height > sizeGuard.maxSide {
                    sizeGuard.refused = (width, height)
                    return segd_averror(ERANGE)
                }
            }
            return avcodec_default_get_buffer2(context, frame, flags)
        }
    }
}
