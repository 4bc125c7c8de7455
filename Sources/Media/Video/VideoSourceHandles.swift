import CFFmpeg

/// Owns the FFmpeg objects of one `VideoSource` and frees them, whatever point opening reached
/// and however the source ends. It also keeps alive the two Swift objects the C callbacks point
/// at (the interrupt state and the decoder's size guard) until the contexts are gone.
final class VideoSourceHandles {
    var format: UnsafeMutablePointer<AVFormatContext>? = nil
    var decoder: UnsafeMutablePointer<AVCodecContext>? = nil
    var frame: UnsafeMutablePointer<AVFrame>? = nil
    var packet: UnsafeMutablePointer<AVPacket>? = nil
    let interruptState: InterruptState
    let sizeGuard: DecoderSizeGuard

    init(interruptState: InterruptState, sizeGuard: DecoderSizeGuard) {
        self.interruptState = interruptState
        self.sizeGuard = sizeGuard
    }

    deinit {
        avcodec_free_context(&decoder)
        av_frame_free(&frame)
        av_packet_free(&packet)
        // Closing may talk to the server (RTSP TEARDOWN): bound it like any other blocking call.
        interruptState.resetDeadline(seconds: 2)
        avformat_close_input(&format)
        withExtendedLifetime(interruptState) {}
        withExtendedLifetime(sizeGuard) {}
    }
}
