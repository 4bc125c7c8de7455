import CFFmpeg

/// Feeds packets of one stream to an opened decoder until it returns a frame.
struct FirstFrameReader {
    let path: String
    let format: UnsafeMutablePointer<AVFormatContext>
    let context: UnsafeMutablePointer<AVCodecContext>
    let streamIndex: Int32
    let sizeGuard: DecoderSizeGuard
    /// Still-image codec: the first decoding error is fatal.
    let still: Bool
    /// Decoding errors skipped before giving up on a video.
    static let toleratedVideoErrors = 64

    func read(into frame: UnsafeMutablePointer<AVFrame>, packet: UnsafeMutablePointer<AVPacket>) throws {
        let again = segd_averror(EAGAIN), eof = segd_averror_eof()
        var flushed = false
        var sniffed = false
        var lastError: Int32 = 0
        var errors = 0
        while true {
            let received = avcodec_receive_frame(context, frame)
            if received >= 0 { return }
            if received == eof || (received == again && flushed) {
                if lastError != 0 { throw failure(lastError) }
                throw MediaError.noPicture(path: path)
            }
            if received != again { throw failure(received) }

            let read = av_read_frame(format, packet)
            if read < 0 {
                if read != eof { lastError = read }
                flushed = true
                _ = avcodec_send_packet(context, nil)
                continue
            }
            defer { av_packet_unref(packet) }
            guard packet.pointee.stream_index == streamIndex else { continue }
            if !sniffed {
                sniffed = true
                if let data = packet.pointee.data, packet.pointee.size > 0,
                   let size = ImageHeaderSniffer.size(of: UnsafeRawBufferPointer(start: data, count: Int(packet.pointee.size))) {
                    try ImageDecoder.checkSize(size.width, size.height, maxSide: sizeGuard.maxSide, path: path)
                }
            }
            let sent = avcodec_send_packet(context, packet)
            if sent < 0, sent != again {
                lastError = sent
                errors += 1
                if still || errors > FirstFrameReader.toleratedVideoErrors { throw failure(sent) }
            }
        }
    }

    private func failure(_ code: Int32) -> MediaError {
        if let refused = sizeGuard.refused {
            return .tooLarge(path: path, width: refused.width, height: refused.height, limit: sizeGuard.maxSide)
        }
        return .decodeFailed(path: path, reason: MediaError.ffmpegMessage(code))
    }
}
