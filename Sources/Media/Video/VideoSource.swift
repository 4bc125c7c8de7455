import CFFmpeg

/// Decodes the video of anything FFmpeg reads, one frame at a time.
///
/// Inputs: files in any container and codec FFmpeg knows (MP4, MKV, WebM, AVI, MPEG-TS, …;
/// H.264, HEVC, VP9, AV1, MJPEG, …), image sequences (`frames/%06d.png`), network URLs
/// (`http://`, `tcp://`, `udp://`, `rtsp://` — RTSP over TCP unless the URL or the
/// `rtsp_transport` option says otherwise) and V4L2 devices (`v4l2:///dev/video0`).
///
/// * **Frames** come upright (the display matrix of the frame, else of the stream, is applied),
///   in RGB24 at source size, with the presentation time in seconds from the stream's start.
/// * **Damaged data** is skipped: packets the decoder rejects and frames it flags as corrupt are
///   counted in `decodeErrors` and reported to `warningHandler`. A truncated or unreadable tail
///   of a file ends the stream cleanly (the decoder is flushed first).
/// * **Timeouts**: opening may take `openTimeout` seconds, each read `readTimeout` seconds
///   without data; then `MediaError.stalled` is thrown. `interrupt()` stops a blocked read
///   from another thread (`MediaError.interrupted`).
/// * Decoding uses FFmpeg's automatic thread count with frame and slice threading; frame
///   threading delays the output by a few frames, which only matters for latency.
///
/// `nextFrame` must be called from one thread at a time; `interrupt()` from any thread.
/// Every FFmpeg object is freed when the source is released.
public final class VideoSource: @unchecked Sendable {
    /// The URL or path as given.
    public let url: String
    /// Upright picture size, from the stream parameters (or the first frame when they lack it).
    public internal(set) var width: Int
    public internal(set) var height: Int
    /// FFmpeg's codec name ("h264", "hevc", "vp9", "av1", "mjpeg", "png", …).
    public let codecName: String
    /// FFmpeg's demuxer name ("mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm", "mpegts", "image2", …).
    public let containerName: String
    /// The frame rate FFmpeg guesses from the container and codec, nil when unknown.
    public let frameRate: Double?
    /// Duration in seconds, nil for live or unknown.
    public let duration: Double?
    /// A network stream or capture device, or an input without a known duration or seekable file.
    public let isLive: Bool
    /// Packets and frames that failed to decode and were skipped.
    public internal(set) var decodeErrors: Int = 0

    let options: VideoSourceOptions
    let input: InputURL
    let handles: VideoSourceHandles
    let streamIndex: Int32
    let stream: UnsafeMutablePointer<AVStream>
    /// Seconds per tick of the stream's time base.
    let timeBase: Double
    /// The stream's `start_time` in its time base, when the container states one.
    let startTime: Int64?
    /// The rotation stated once for the whole stream (frames may override it).
    let streamOrientation: ImageOrientation
    let converter: FrameConverter
    var warnings = WarningLimiter()
    /// Frames received from the decoder so far.
    var decodedCount = 0
    /// End of input reached and the decoder told so; only buffered frames remain.
    var draining = false
    var finished = false
    /// The previous frame's own (raw) time in seconds.
    var lastSourcePTS: Double? = nil
    /// Keeps `DecodedFrame.pts` strictly increasing across timestamp discontinuities.
    var continuity: PTSContinuity
    /// Decoder errors seen while draining (bounded, so a broken decoder cannot loop forever).
    var drainErrors = 0
    /// When the demuxer started answering EAGAIN without interruption (nanoseconds, monotonic).
    var waitingSince: UInt64? = nil

    /// Opens `url` and its best video stream's decoder. Throws `MediaError`: `cannotOpen`
    /// (missing file, unknown format, refused connection, …), `stalled` (nothing within
    /// `openTimeout`), `interrupted`, `noPicture` (no video stream), `decodeFailed` (no decoder),
    /// `tooLarge` (a side over `maxSide`).
    public init(url: String, options: VideoSourceOptions = VideoSourceOptions()) throws {
        FFmpegLogging.configure()
        _ = registerFFmpegInputsOnce
        self.url = url
        self.options = options
        let input = InputURL(url, forcedFormat: options.inputFormat)
        self.input = input
        converter = FrameConverter(fast: options.fastColorConversion)
        let handles = VideoSourceHandles(interruptState: InterruptState(), sizeGuard: DecoderSizeGuard(maxSide: options.maxSide))
        self.handles = handles

        let format = try VideoSourceOpener.openInput(url: url, input: input, options: options, handles: handles)
        let (index, codec) = try VideoSourceOpener.videoStream(format, url: url)
        let stream = format.pointee.streams[Int(index)]!
        let parameters = stream.pointee.codecpar!
        let storedWidth = Int(parameters.pointee.width), storedHeight = Int(parameters.pointee.height)
        if storedWidth > options.maxSide || storedHeight > options.maxSide {
            throw MediaError.tooLarge(path: url, width: storedWidth, height: storedHeight, limit: options.maxSide)
        }
        try VideoSourceOpener.openDecoder(codec, parameters: parameters, stream: stream, url: url, options: options, handles: handles)
        handles.frame = av_frame_alloc()
        handles.packet = av_packet_alloc()
        guard handles.frame != nil, handles.packet != nil else {
            throw MediaError.decodeFailed(path: url, reason: "out of memory")
        }

        streamIndex = index
        self.stream = stream
        let tb = stream.pointee.time_base
        timeBase = tb.den > 0 ? Double(tb.num) / Double(tb.den) : 0
        startTime = stream.pointee.start_time == segd_nopts_value() ? nil : stream.pointee.start_time
        streamOrientation = VideoSourceOpener.streamOrientation(stream)
        (width, height) = streamOrientation.swapsSides ? (storedHeight, storedWidth) : (storedWidth, storedHeight)
        codecName = String(cString: avcodec_get_name(parameters.pointee.codec_id))
        containerName = format.pointee.iformat.map { String(cString: $0.pointee.name) } ?? "unknown"
        let rate = av_guess_frame_rate(format, stream, nil)
        frameRate = rate.num > 0 && rate.den > 0 ? Double(rate.num) / Double(rate.den) : nil
        duration = VideoSourceOpener.duration(format, stream)
        // Containers whose timestamps may jump (MPEG-TS, …) also re-base a jump far ahead.
        let jumpsAllowed = format.pointee.iformat.map { $0.pointee.flags & AVFMT_TS_DISCONT != 0 } ?? false
        continuity = PTSContinuity(frameDuration: 1 / (frameRate ?? 25),
                                   forwardJumpLimit: jumpsAllowed ? max(options.timestampJumpLimit, options.readTimeout) : nil)
        let unseekable = format.pointee.pb.map { $0.pointee.seekable == 0 } ?? false
        isLive = input.isNetwork || input.isDevice || duration == nil || unseekable
    }

    /// Makes a blocked or any later read return promptly with `MediaError.interrupted`.
    /// Thread-safe; used on shutdown. The source cannot be resumed afterwards.
    public func interrupt() {
        handles.interruptState.interrupt()
    }
}

/// Network protocols and capture devices are registered once per process.
private let registerFFmpegInputsOnce: Void = {
    avformat_network_init()
    avdevice_register_all()
}()
