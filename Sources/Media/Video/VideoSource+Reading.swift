import CFFmpeg
import Dispatch
import Foundation

extension VideoSource {
    /// The next frame, or nil at the end of the stream.
    ///
    /// `wantPixels(index, pts)` decides whether the frame is converted to RGB (the pipeline skips
    /// the conversion of frames it will not process); when it answers false, `image` is nil.
    /// Throws `MediaError` only for fatal problems: `stalled` (no data for `readTimeout`),
    /// `interrupted`, `readFailed` (a live input's I/O failed), `tooLarge`, or `decodeFailed` when
    /// a picture cannot be converted to RGB. Damaged packets and frames are counted in
    /// `decodeErrors` and skipped; a truncated file ends cleanly (remaining frames, then nil).
    public func nextFrame(wantPixels: (Int, Double) -> Bool = { _, _ in true }) throws -> DecodedFrame? {
        if handles.interruptState.isInterrupted { throw MediaError.interrupted(url: url) }
        guard !finished, let decoder = handles.decoder, let frame = handles.frame else { return nil }
        let again = segd_averror(EAGAIN), eof = segd_averror_eof()
        while true {
            let received = avcodec_receive_frame(decoder, frame)
            if received >= 0 {
                defer { av_frame_unref(frame) }
                let index = decodedCount
                decodedCount += 1
                try checkSize(Int(frame.pointee.width), Int(frame.pointee.height))
                if frame.pointee.flags & AV_FRAME_FLAG_CORRUPT != 0 || frame.pointee.decode_error_flags != 0 {
                    decodeErrors += 1
                    warnings.report("\(url): frame \(index) is damaged and was skipped")
                    continue
                }
                return try decodedFrame(frame, index: index, wantPixels: wantPixels)
            }
            if received == eof {
                finished = true
                return nil
            }
            if received != again {
                if let refused = handles.sizeGuard.refused { try checkSize(refused.width, refused.height) }
                decodeErrors += 1
                warnings.report("\(url): a frame failed to decode and was skipped: \(MediaError.ffmpegMessage(received))")
                if draining {
                    drainErrors += 1
                    if drainErrors > 64 { finished = true; return nil }
                }
                continue
            }
            // The decoder wants input. After the flush packet it has none left to ask for.
            if draining {
                finished = true
                return nil
            }
            try feedPacket(decoder)
        }
    }

    /// Reads one packet and, if it belongs to the video stream, sends it to the decoder. At the
    /// end of the input it sends the flush packet instead.
    private func feedPacket(_ decoder: UnsafeMutablePointer<AVCodecContext>) throws {
        guard let format = handles.format, let packet = handles.packet else { finished = true; return }
        let state = handles.interruptState
        state.resetDeadline(seconds: options.readTimeout)
        let status = av_read_frame(format, packet)
        state.clearDeadline()
        if status < 0 {
            if state.isInterrupted { throw MediaError.interrupted(url: url) }
            if state.timedOut || status == segd_averror_exit() {
                throw MediaError.stalled(url: url, seconds: options.readTimeout)
            }
            if status == segd_averror(EAGAIN) {
                // Non-blocking demuxers (some devices) have no data yet: wait a little, but not
                // longer than a blocking read would.
                let now = DispatchTime.now().uptimeNanoseconds
                let since = waitingSince ?? now
                waitingSince = since
                if Double(now - since) / 1e9 > options.readTimeout {
                    throw MediaError.stalled(url: url, seconds: options.readTimeout)
                }
                usleep(2_000)
                return
            }
            waitingSince = nil
            if status != segd_averror_eof() {
                if input.isNetwork || input.isDevice {
                    throw MediaError.readFailed(url: url, reason: MediaError.ffmpegMessage(status))
                }
                // A damaged or cut file: keep what was decoded, end after the decoder's last frames.
                decodeErrors += 1
                warnings.report("\(url): reading stopped early (\(MediaError.ffmpegMessage(status))); treating the file as truncated")
            }
            draining = true
            _ = avcodec_send_packet(decoder, nil)
            return
        }
        waitingSince = nil
        defer { av_packet_unref(packet) }
        guard packet.pointee.stream_index == streamIndex else { return }
        let sent = avcodec_send_packet(decoder, packet)
        // EAGAIN cannot happen here: the decoder was drained until it asked for input.
        if sent < 0, sent != segd_averror(EAGAIN) {
            if let refused = handles.sizeGuard.refused { try checkSize(refused.width, refused.height) }
            decodeErrors += 1
            warnings.report("\(url): a packet failed to decode and was skipped: \(MediaError.ffmpegMessage(sent))")
        }
    }

    private func checkSize(_ width: Int, _ height: Int) throws {
        if width > options.maxSide || height > options.maxSide {
            finished = true
            throw MediaError.tooLarge(path: url, width: width, height: height, limit: options.maxSide)
        }
    }
}
