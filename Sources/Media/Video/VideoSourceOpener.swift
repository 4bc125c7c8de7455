import CFFmpeg

/// The steps of opening a `VideoSource`: input, stream, decoder. Objects go into `handles`
/// as soon as they exist, so that a failure at any step frees what was made before it.
enum VideoSourceOpener {
    /// Opens the input and reads its stream parameters within `openTimeout`.
    static func openInput(url: String, input: InputURL, options: VideoSourceOptions,
                           handles: VideoSourceHandles) throws -> UnsafeMutablePointer<AVFormatContext> {
        var demuxer: UnsafePointer<AVInputFormat>? = nil
        if let name = input.inputFormat {
            demuxer = av_find_input_format(name)
            guard demuxer != nil else {
                throw MediaError.cannotOpen(path: url, reason: "FFmpeg has no input format named \"\(name)\" (check the name, or whether this FFmpeg build includes it)")
            }
        }
        guard let allocated = avformat_alloc_context() else { throw MediaError.cannotOpen(path: url, reason: "out of memory") }
        let state = handles.interruptState
        allocated.pointee.interrupt_callback = state.callback()
        handles.format = allocated

        var dictionary: OpaquePointer? = nil
        defer { av_dict_free(&dictionary) }
        for (key, value) in formatOptions(url: url, input: input, options: options) {
            av_dict_set(&dictionary, key, value, 0)
        }
        state.resetDeadline(seconds: options.openTimeout)
        defer { state.clearDeadline() }
        // On failure avformat_open_input frees the context and sets `handles.format` to nil.
        let opened = avformat_open_input(&handles.format, input.openName, demuxer, &dictionary)
        guard opened >= 0, let format = handles.format else {
            throw failure(url: url, code: opened, state: state, timeout: options.openTimeout, opening: true)
        }
        let info = avformat_find_stream_info(format, nil)
        guard info >= 0 else {
            throw failure(url: url, code: info, state: state, timeout: options.openTimeout, opening: true)
        }
        return format
    }

    /// The caller's options, plus RTSP over TCP unless the caller or the URL chose a transport.
    static func formatOptions(url: String, input: InputURL, options: VideoSourceOptions) -> [(String, String)] {
        var result = options.formatOptions.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        if input.wantsRTSPOverTCP, options.formatOptions["rtsp_transport"] == nil, options.formatOptions["rtsp_flags"] == nil {
            // The RTSP demuxer also reads a transport from the URL's query ("?udp", "?tcp", …).
            let query = url.split(separator: "?", maxSplits: 1).dropFirst().first.map(String.init) ?? ""
            let words = query.split(whereSeparator: { $0 == "&" }).map { $0.lowercased() }
            if !words.contains(where: { ["udp", "tcp", "multicast", "http", "https"].contains($0) }) {
                result.append(("rtsp_transport", "tcp"))
            }
        }
        return result
    }

    /// The `MediaError` for a failed blocking call: interrupted, timed out, or FFmpeg's reason.
    static func failure(url: String, code: Int32, state: InterruptState, timeout: Double, opening: Bool) -> MediaError {
        if state.isInterrupted { return .interrupted(url: url) }
        if state.timedOut || code == segd_averror_exit() { return .stalled(url: url, seconds: timeout) }
        if code == segd_averror_invaliddata() {
            return .cannotOpen(path: url, reason: "not a video format FFmpeg recognises")
        }
        return .cannotOpen(path: url, reason: MediaError.ffmpegMessage(code))
    }

    /// The best video stream and its decoder.
    static func videoStream(_ format: UnsafeMutablePointer<AVFormatContext>, url: String) throws -> (Int32, UnsafePointer<AVCodec>) {
        var decoder: UnsafePointer<AVCodec>? = nil
        let index = av_find_best_stream(format, AVMEDIA_TYPE_VIDEO, -1, -1, &decoder, 0)
        if index == segd_averror_decoder_not_found() {
            for i in 0..<Int(format.pointee.nb_streams) {
                let parameters = format.pointee.streams[i]!.pointee.codecpar!
                if parameters.pointee.codec_type == AVMEDIA_TYPE_VIDEO {
                    let name = String(cString: avcodec_get_name(parameters.pointee.codec_id))
                    throw MediaError.decodeFailed(path: url, reason: "FFmpeg has no decoder for \(name)")
                }
            }
        }
        guard index >= 0, let decoder else { throw MediaError.noPicture(path: url) }
        return (index, decoder)
    }

    /// Opens the decoder with automatic frame+slice threading, the size guard and, when asked,
    /// motion-vector export.
    static func openDecoder(_ codec: UnsafePointer<AVCodec>, parameters: UnsafeMutablePointer<AVCodecParameters>,
                            stream: UnsafeMutablePointer<AVStream>, url: String, options: VideoSourceOptions,
                            handles: VideoSourceHandles) throws {
        guard let context = avcodec_alloc_context3(codec) else { throw MediaError.decodeFailed(path: url, reason: "out of memory") }
        handles.decoder = context
        var status = avcodec_parameters_to_context(context, parameters)
        guard status >= 0 else { throw MediaError.decodeFailed(path: url, reason: MediaError.ffmpegMessage(status)) }
        context.pointee.pkt_timebase = stream.pointee.time_base
        context.pointee.thread_count = 0
        context.pointee.thread_type = FF_THREAD_FRAME | FF_THREAD_SLICE
        if options.exportMotionVectors { context.pointee.flags2 |= segd_codec_flag2_export_mvs() }
        handles.sizeGuard.install(on: context)
        status = avcodec_open2(context, codec, nil)
        guard status >= 0 else { throw MediaError.decodeFailed(path: url, reason: MediaError.ffmpegMessage(status)) }
    }

    /// The display matrix stated for the whole stream, as an orientation.
    static func streamOrientation(_ stream: UnsafeMutablePointer<AVStream>) -> ImageOrientation {
        var size: Int = 0
        if let data = av_stream_get_side_data(stream, AV_PKT_DATA_DISPLAYMATRIX, &size), size >= 36 {
            return ImageOrientation(displayMatrix: displayMatrix(data)) ?? .identity
        }
        return .identity
    }

    static func displayMatrix(_ bytes: UnsafePointer<UInt8>) -> [Int32] {
        (0..<9).map { UnsafeRawPointer(bytes).loadUnaligned(fromByteOffset: $0 * 4, as: Int32.self) }
    }

    /// The container's duration, else the stream's; nil when neither is known.
    static func duration(_ format: UnsafeMutablePointer<AVFormatContext>, _ stream: UnsafeMutablePointer<AVStream>) -> Double? {
        let total = format.pointee.duration
        if total != segd_nopts_value(), total > 0 { return Double(total) / Double(AV_TIME_BASE) }
        let tb = stream.pointee.time_base
        if stream.pointee.duration != segd_nopts_value(), stream.pointee.duration > 0, tb.den > 0 {
            return Double(stream.pointee.duration) * Double(tb.num) / Double(tb.den)
        }
        return nil
    }
}
