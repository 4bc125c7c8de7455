/// How a `VideoSource` opens and reads its input.
public struct VideoSourceOptions: Sendable {
    /// Ask the decoder to export the codec's motion vectors (`AV_CODEC_FLAG2_EXPORT_MVS`);
    /// every `DecodedFrame` then carries `motionVectors` (empty when the frame has none).
    public var exportMotionVectors: Bool = false
    /// Seconds allowed for opening the input and reading its stream parameters (network, devices).
    public var openTimeout: Double = 10
    /// Seconds a read may go without receiving any data before it fails with `MediaError.stalled`.
    public var readTimeout: Double = 10
    /// In containers whose timestamps may jump (MPEG-TS and others FFmpeg flags with
    /// `AVFMT_TS_DISCONT`), a step forward of more than this many seconds (or `readTimeout`,
    /// if larger) between frames counts as a discontinuity and is re-based (`PTSContinuity`).
    /// A step back always counts, in any container.
    public var timestampJumpLimit: Double = 10
    /// The largest width or height accepted; larger pictures are refused with `MediaError.tooLarge`.
    public var maxSide: Int = 8192
    /// Forces a demuxer by FFmpeg name ("mpegts", "v4l2", "image2", …). Inferred for `v4l2://` URLs.
    public var inputFormat: String? = nil
    /// Options passed to `avformat_open_input` (e.g. "framerate", "video_size", "rtsp_transport").
    public var formatOptions: [String: String] = [:]
    /// Convert to RGB with swscale's fast SIMD path (bilinear chroma, default rounding) instead of
    /// the exact one (bicubic, accurate rounding, full chroma interpolation — identical to the
    /// CLI's `-sws_flags bicubic+accurate_rnd+full_chroma_int` and to `ImageDecoder`). The fast path
    /// is several times cheaper on large frames and differs by a few levels, mostly at colour edges.
    public var fastColorConversion: Bool = false

    public init() {}
}
