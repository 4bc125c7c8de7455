import CFFmpeg
import FCCLIP

/// Encodes RGB frames into a video file with libavcodec/libavformat (segd's `overlay.mp4`).
///
/// * **Codec.** H.264 through libx264 (preset `veryfast`, CRF 23 unless `quality` says
///   otherwise, no `tune`, yuv420p) when FFmpeg has it; otherwise FFmpeg's native MPEG-4 part 2
///   encoder (constant quantiser 3 unless `quality` says otherwise). `codecName` says which.
/// * **Container** from the file name's extension (anything libavformat can mux: `.mp4`, `.mov`,
///   `.mkv`, …); an unknown or missing extension gives MP4.
/// * **Crash safety.** MP4 and MOV are written *fragmented*
///   (`movflags=+frag_keyframe+empty_moov+default_base_moof`, plus `frag_discont`: see Timing),
///   and each fragment goes to the file as soon as the muxer completes it. A keyframe starts a
///   new fragment and keyframes come about every 2 s of video (`2 · frameRateHint` frames),
///   so a process killed mid-run leaves a playable file holding everything up to the last
///   completed fragment: all but the last ~2 s plus the encoder's delay (a few frames).
///   `flushFragment()` closes the current fragment on demand. Frames still inside the encoder
///   are only written by `finish()`.
/// * **Timing.** The time base is 1/90000 s for H.264 (1/60000 s for MPEG-4, whose time base
///   denominator must stay below 65536). `pts` seconds become `round(pts · ticksPerSecond)`
///   ticks, so variable frame rates come through exactly (to one tick). A pts that is not
///   strictly greater than the previous frame's (after rounding), or is not finite, is bumped
///   to the previous frame's tick + 1. MP4 keeps the first frame's time (it is not moved to
///   0: the first fragment's base time carries it, no edit list); timestamps are only shifted
///   when the first one is negative, to make it 0. Other containers store times in their own
///   time base (Matroska: milliseconds). No B-frames are used, so no reordering delay shifts
///   them.
/// * **Odd sizes.** yuv420p needs even sides, and H.264's cropping works in 2-pixel steps for
///   4:2:0, so an odd width (height) is padded by one column (row) that repeats the last
///   one: the video is `codedWidth × codedHeight`, and the picture is its top-left
///   `width × height`.
/// * **Colour.** RGB → BT.601 limited-range YUV 4:2:0 with libswscale (one `SwsContext` for
///   the encoder's lifetime); the stream is tagged BT.601 (SMPTE 170M), limited range.
/// * **Errors** are `MediaError.writeFailed` naming the path. Every FFmpeg object is freed on
///   every path; `deinit` without `finish()` finishes best-effort, ignoring errors.
///
/// Not thread-safe: call it from one thread (or queue) at a time.
public final class VideoEncoder {
    /// Which encoder to use.
    public enum Codec: Sendable, Equatable {
        /// H.264 (libx264) when available, else MPEG-4 part 2.
        case automatic
        /// H.264 through libx264; `init` throws when FFmpeg lacks it.
        case h264
        /// FFmpeg's native MPEG-4 part 2 encoder.
        case mpeg4
    }

    /// The output file.
    public let path: String
    /// The picture size given to `init` (every appended image must have it).
    public let width: Int, height: Int
    /// The encoded size: `width`/`height` rounded up to even numbers.
    public let codedWidth: Int, codedHeight: Int
    /// FFmpeg's name of the codec written: `"h264"` or `"mpeg4"`.
    public let codecName: String
    /// Time-base ticks per second (pts are rounded to these).
    public let ticksPerSecond: Int
    /// Frames accepted by `append` so far (all of them are in the file after `finish()`).
    public private(set) var framesWritten = 0
    /// The file's size in bytes at the end of its last complete part (the header, then each
    /// completed MP4 fragment) that reached the disk without an error. After a failed `append`
    /// or `finish` (a full disk), cutting the file back to this size (`truncate(2)`) leaves a
    /// playable file without a partial fragment.
    public var committedBytes: Int64 { output.committedBytes }
    /// The frames within `committedBytes` (the first `framesCommitted` frames appended).
    public var framesCommitted: Int { output.committedPackets }

    private let output: EncoderOutput
    private let converter: RGBToYUVConverter
    private var lastTicks: Int64?
    private var finished = false

    /// Opens `path` for writing (replacing any file there) for frames of `width × height`
    /// pixels.
    ///
    /// - Parameters:
    ///   - frameRateHint: the expected frames per second; sets the keyframe interval (2 s of
    ///     frames) and the rate control's notion of frame duration. Timestamps come from
    ///     `append`'s `pts`, not from this.
    ///   - quality: H.264: the CRF (0…51, lower is better, default 23); MPEG-4: the quantiser
    ///     (1…31, lower is better, default 3).
    ///   - codec: which encoder to use (default: H.264 when available).
    /// - Throws: `MediaError.writeFailed` when the file cannot be created (missing directory,
    ///   no permission), the size is invalid, or FFmpeg cannot set up the encoder or container.
    public init(path: String, width: Int, height: Int, frameRateHint: Double = 25, quality: Int? = nil,
                codec: Codec = .automatic) throws {
        FFmpegLogging.configure()
        guard width > 0, height > 0, width <= VideoEncoder.maxSide, height <= VideoEncoder.maxSide else {
            throw MediaError.writeFailed(path: path, reason: "cannot encode a \(width)x\(height) video: each side must be 1…\(VideoEncoder.maxSide) pixels")
        }
        self.path = path
        self.width = width
        self.height = height
        codedWidth = (width + 1) & ~1
        codedHeight = (height + 1) & ~1
        let setup = try EncoderOutput.open(path: path, codedWidth: codedWidth, codedHeight: codedHeight,
                                           frameRateHint: frameRateHint, quality: quality, codec: codec)
        output = setup
        codecName = setup.codecName
        ticksPerSecond = setup.ticksPerSecond
        guard let converter = RGBToYUVConverter(width: width, height: height,
                                                codedWidth: codedWidth, codedHeight: codedHeight) else {
            setup.abandon()
            throw MediaError.writeFailed(path: path, reason: "libswscale cannot convert rgb24 to yuv420p")
        }
        self.converter = converter
    }

    deinit {
        if !finished { try? finish() }
    }

    /// The largest side accepted.
    public static let maxSide = 16384

    /// Whether FFmpeg has the libx264 encoder (so `.automatic` gives H.264).
    public static var hasH264: Bool { avcodec_find_encoder_by_name("libx264") != nil }

    /// Appends `image` (of the encoder's `width × height`), shown at `pts` seconds.
    ///
    /// `pts` must increase strictly from frame to frame; a pts that does not (after rounding
    /// to ticks), or is not finite, is bumped to one tick after the previous frame's.
    /// Throws `MediaError.writeFailed` after `finish()`, for an image of another size, or when
    /// encoding or writing fails (the message says why, e.g. no space left on the device).
    public func append(_ image: RGBImage, pts: Double) throws {
        guard !finished else { throw MediaError.writeFailed(path: path, reason: "the video is already finished; no frame can be appended") }
        guard image.width == width, image.height == height else {
            throw MediaError.writeFailed(path: path, reason: "the frame is \(image.width)x\(image.height) pixels but the video is \(width)x\(height); scale it first")
        }
        var ticks: Int64
        let scaled = pts * Double(ticksPerSecond)
        if scaled.isFinite, abs(scaled) < 9.0e15 { ticks = Int64(scaled.rounded()) } else { ticks = (lastTicks ?? -1) + 1 }
        if let last = lastTicks, ticks <= last { ticks = last + 1 }

        guard let frame = output.frame else { throw MediaError.writeFailed(path: path, reason: "the encoder is closed") }
        var status = av_frame_make_writable(frame)
        guard status >= 0 else { throw failure("cannot get a frame buffer", status) }
        guard converter.convert(image.pixels, into: frame) else {
            throw MediaError.writeFailed(path: path, reason: "libswscale failed to convert the frame to yuv420p")
        }
        frame.pointee.pts = ticks
        status = avcodec_send_frame(output.codec, frame)
        guard status >= 0 else { throw failure("cannot encode the frame", status) }
        lastTicks = ticks
        framesWritten += 1
        try output.drain(path: path)
    }

    /// Ends the current MP4 fragment now, so that every packet the encoder has produced so far
    /// is in the file (frames the encoder still holds are not: a few frames of delay). Does
    /// nothing for containers that are not fragmented, and after `finish()`.
    public func flushFragment() throws {
        guard !finished, let format = output.format else { return }
        let status = av_write_frame(format, nil)
        guard status >= 0 else { throw failure("cannot write a fragment", status) }
        if let pb = format.pointee.pb { avio_flush(pb) }
        if let pb = format.pointee.pb, pb.pointee.error < 0 { throw failure("cannot write", pb.pointee.error) }
    }

    /// Drains the encoder, writes the container's trailer and closes the file. After it the
    /// file is complete. Idempotent: later calls do nothing. Every FFmpeg object is freed
    /// even when it throws (`MediaError.writeFailed`, e.g. disk full).
    public func finish() throws {
        guard !finished else { return }
        finished = true
        try output.close(path: path)
    }

    private func failure(_ what: String, _ code: Int32) -> MediaError {
        .writeFailed(path: path, reason: "\(what): \(MediaError.ffmpegMessage(code))")
    }
}
