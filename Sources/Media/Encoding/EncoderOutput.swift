#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CFFmpeg

/// The FFmpeg objects behind a `VideoEncoder`: muxer, encoder, frame and packet. Owns them and
/// frees whatever exists when it is released, so a failure anywhere in `open` leaks nothing.
final class EncoderOutput {
    private(set) var format: UnsafeMutablePointer<AVFormatContext>?
    private(set) var codec: UnsafeMutablePointer<AVCodecContext>?
    private(set) var frame: UnsafeMutablePointer<AVFrame>?
    private var packet: UnsafeMutablePointer<AVPacket>?
    private var stream: UnsafeMutablePointer<AVStream>?
    /// `avio_open` succeeded: the file exists and must be closed.
    private var fileOpen = false
    /// `avformat_write_header` succeeded: the trailer must be written.
    private var headerWritten = false
    private(set) var codecName = ""
    private(set) var ticksPerSecond = 90000
    /// Packets given to the muxer so far.
    private(set) var packetsMuxed = 0
    /// The file's size when it last ended on a boundary the muxer completed without an error
    /// (after the header, then after each fragment), and the packets before that boundary.
    private(set) var committedBytes: Int64 = 0
    private(set) var committedPackets = 0

    /// MP4-family muxers, which take `movflags`.
    private static let movMuxers: Set<String> = ["mp4", "mov", "ipod", "ismv", "3gp", "3g2", "psp", "f4v"]
    /// Fragmented MP4 that a killed process still leaves playable.
    static let movFlags = "+frag_keyframe+empty_moov+default_base_moof"

    private init() {}

    deinit { release() }

    /// Sets up the muxer and encoder and writes the header. Throws `MediaError.writeFailed`.
    static func open(path: String, codedWidth: Int, codedHeight: Int, frameRateHint: Double, quality: Int?,
                     codec choice: VideoEncoder.Codec) throws -> EncoderOutput {
        let out = EncoderOutput()
        do {
            try out.setUp(path: path, codedWidth: codedWidth, codedHeight: codedHeight,
                          frameRateHint: frameRateHint, quality: quality, codec: choice)
        } catch {
            out.abandon()
            throw error
        }
        return out
    }

    private func setUp(path: String, codedWidth: Int, codedHeight: Int, frameRateHint: Double, quality: Int?,
                       codec choice: VideoEncoder.Codec) throws {
        func fail(_ what: String, _ code: Int32) -> MediaError {
            .writeFailed(path: path, reason: "\(what): \(MediaError.ffmpegMessage(code))")
        }
        // Container from the extension; MP4 when libavformat does not know it.
        var status = avformat_alloc_output_context2(&format, nil, nil, path)
        if status < 0 || format == nil {
            format = nil
            status = avformat_alloc_output_context2(&format, nil, "mp4", path)
        }
        guard status >= 0, let format, let oformat = format.pointee.oformat else {
            throw fail("cannot set up the MP4 muxer", status)
        }
        let muxerName = String(cString: oformat.pointee.name)

        // Encoder.
        let encoder: UnsafePointer<AVCodec>?
        switch choice {
        case .automatic: encoder = avcodec_find_encoder_by_name("libx264") ?? avcodec_find_encoder_by_name("mpeg4")
        case .h264: encoder = avcodec_find_encoder_by_name("libx264")
        case .mpeg4: encoder = avcodec_find_encoder_by_name("mpeg4")
        }
        guard let encoder else {
            throw MediaError.writeFailed(path: path, reason: choice == .h264
                ? "this FFmpeg has no libx264 encoder (install an FFmpeg built with libx264)"
                : "this FFmpeg has neither the libx264 nor the mpeg4 encoder")
        }
        let isH264 = encoder.pointee.id == AV_CODEC_ID_H264
        codecName = String(cString: avcodec_get_name(encoder.pointee.id))
        guard avformat_query_codec(oformat, encoder.pointee.id, FF_COMPLIANCE_NORMAL) == 1 else {
            throw MediaError.writeFailed(path: path, reason: "the \(muxerName) container cannot hold \(codecName) video; use a .mp4 file")
        }
        ticksPerSecond = isH264 ? 90000 : 60000

        guard let context = avcodec_alloc_context3(encoder) else { throw MediaError.writeFailed(path: path, reason: "out of memory") }
        codec = context
        let fps = frameRateHint.isFinite && frameRateHint > 0 ? min(frameRateHint, 1000) : 25
        context.pointee.width = Int32(codedWidth)
        context.pointee.height = Int32(codedHeight)
        context.pointee.pix_fmt = AV_PIX_FMT_YUV420P
        context.pointee.time_base = AVRational(num: 1, den: Int32(ticksPerSecond))
        context.pointee.framerate = av_d2q(fps, 100_000)
        context.pointee.gop_size = Int32(max(1, (2 * fps).rounded()))
        context.pointee.sample_aspect_ratio = AVRational(num: 1, den: 1)
        context.pointee.color_range = AVCOL_RANGE_MPEG
        context.pointee.colorspace = AVCOL_SPC_SMPTE170M
        context.pointee.color_primaries = AVCOL_PRI_SMPTE170M
        context.pointee.color_trc = AVCOL_TRC_SMPTE170M
        context.pointee.thread_count = 0
        // No B-frames: in fragmented MP4 their composition delay would shift every pts (there
        // is no edit list to undo it), and without them the encoder holds fewer frames back,
        // so less is lost when the process dies. (MPEG-4's default is none already.)
        context.pointee.max_b_frames = 0
        if oformat.pointee.flags & AVFMT_GLOBALHEADER != 0 {
            context.pointee.flags |= Int32(AV_CODEC_FLAG_GLOBAL_HEADER)
        }
        var options: OpaquePointer? = nil
        defer { av_dict_free(&options) }
        if isH264 {
            av_dict_set(&options, "preset", "veryfast", 0)
            av_dict_set(&options, "crf", String(max(0, min(51, quality ?? 23))), 0)
        } else {
            context.pointee.flags |= Int32(AV_CODEC_FLAG_QSCALE)
            context.pointee.global_quality = Int32(FF_QP2LAMBDA) * Int32(max(1, min(31, quality ?? 3)))
        }
        status = avcodec_open2(context, encoder, &options)
        guard status >= 0 else { throw fail("cannot open the \(codecName) encoder", status) }

        guard let stream = avformat_new_stream(format, nil) else { throw MediaError.writeFailed(path: path, reason: "out of memory") }
        self.stream = stream
        stream.pointee.time_base = context.pointee.time_base
        stream.pointee.avg_frame_rate = context.pointee.framerate
        status = avcodec_parameters_from_context(stream.pointee.codecpar, context)
        guard status >= 0 else { throw fail("cannot describe the stream", status) }

        guard let frame = av_frame_alloc(), let packet = av_packet_alloc() else {
            throw MediaError.writeFailed(path: path, reason: "out of memory")
        }
        self.frame = frame
        self.packet = packet
        frame.pointee.format = AV_PIX_FMT_YUV420P.rawValue
        frame.pointee.width = Int32(codedWidth)
        frame.pointee.height = Int32(codedHeight)
        status = av_frame_get_buffer(frame, 0)
        guard status >= 0 else { throw fail("cannot allocate a frame", status) }

        if oformat.pointee.flags & AVFMT_NOFILE == 0 {
            status = avio_open(&format.pointee.pb, path, AVIO_FLAG_WRITE)
            guard status >= 0 else {
                throw fail("cannot create the file (check that its directory exists and is writable)", status)
            }
            fileOpen = true
        }
        // Every completed packet (for fragmented MP4: every completed fragment) goes straight
        // to the file instead of waiting in AVIO's buffer.
        format.pointee.flush_packets = 1
        var muxerOptions: OpaquePointer? = nil
        defer { av_dict_free(&muxerOptions) }
        if Self.movMuxers.contains(muxerName) {
            av_dict_set(&muxerOptions, "movflags", Self.movFlags, 0)
            // Keep the given timestamps (by default a fragmented MP4 is shifted to start at 0):
            // `frag_discont` makes the first fragment's base decode time (tfdt) the first
            // frame's real time, without an edit list.
            av_dict_set(&muxerOptions, "movflags", "+frag_discont", AV_DICT_APPEND)
            av_dict_set(&muxerOptions, "use_editlist", "0", 0)
        }
        // Shift timestamps only if they are negative (not to make the first one 0).
        format.pointee.avoid_negative_ts = AVFMT_AVOID_NEG_TS_MAKE_NON_NEGATIVE
        status = avformat_write_header(format, &muxerOptions)
        guard status >= 0 else { throw fail("cannot write the \(muxerName) header", status) }
        headerWritten = true
        commit(packetsBefore: 0)
    }

    /// Flushes the file and, when everything so far reached it without an error and it grew,
    /// records its size as the last complete boundary: in a fragmented MP4 the muxer holds a
    /// fragment's samples in memory and writes them whole (`moof` + `mdat`) when the next
    /// keyframe starts a new one, so the file always ends on a fragment here.
    private func commit(packetsBefore: Int) {
        guard let format, let pb = format.pointee.pb else { return }
        avio_flush(pb)
        guard pb.pointee.error >= 0 else { return }
        let size = avio_tell(pb)
        if size > committedBytes {
            committedBytes = size
            committedPackets = packetsBefore
        }
    }

    /// Writes every packet the encoder has ready. Throws `MediaError.writeFailed`.
    func drain(path: String) throws {
        guard let codec, let packet, let format, let stream else { return }
        let again = segd_averror(EAGAIN), eof = segd_averror_eof()
        while true {
            var status = avcodec_receive_packet(codec, packet)
            if status == again || status == eof { return }
            guard status >= 0 else {
                throw MediaError.writeFailed(path: path, reason: "encoding failed: \(MediaError.ffmpegMessage(status))")
            }
            packet.pointee.stream_index = stream.pointee.index
            av_packet_rescale_ts(packet, codec.pointee.time_base, stream.pointee.time_base)
            let before = packetsMuxed
            status = av_write_frame(format, packet)
            av_packet_unref(packet)
            guard status >= 0 else {
                throw MediaError.writeFailed(path: path, reason: "cannot write to the file: \(MediaError.ffmpegMessage(status))")
            }
            packetsMuxed += 1
            commit(packetsBefore: before)
        }
    }

    /// Flushes the encoder, writes the trailer, closes the file and frees everything, in that
    /// order, continuing past failures; throws the first one.
    func close(path: String) throws {
        var firstError: MediaError?
        if headerWritten, let codec {
            let status = avcodec_send_frame(codec, nil)
            if status < 0 {
                firstError = .writeFailed(path: path, reason: "cannot flush the encoder: \(MediaError.ffmpegMessage(status))")
            } else {
                do { try drain(path: path) } catch let error as MediaError { firstError = error } catch {}
            }
        }
        if headerWritten, let format {
            headerWritten = false
            let status = av_write_trailer(format)
            if status < 0, firstError == nil {
                firstError = .writeFailed(path: path, reason: "cannot finish the file: \(MediaError.ffmpegMessage(status))")
            }
        }
        if fileOpen, let format {
            fileOpen = false
            let status = avio_closep(&format.pointee.pb)
            if status < 0, firstError == nil {
                firstError = .writeFailed(path: path, reason: "cannot write to the file: \(MediaError.ffmpegMessage(status))")
            }
        }
        release()
        if let firstError { throw firstError }
    }

    /// Gives up: closes and removes a file that `open` created, and frees everything.
    func abandon() {
        if fileOpen, let format {
            fileOpen = false
            avio_closep(&format.pointee.pb)
            if let url = format.pointee.url { unlink(url) }
        }
        headerWritten = false
        release()
    }

    private func release() {
        if fileOpen, let format {
            fileOpen = false
            avio_closep(&format.pointee.pb)
        }
        av_frame_free(&frame)
        av_packet_free(&packet)
        avcodec_free_context(&codec)
        if let format { avformat_free_context(format) }
        format = nil
        stream = nil
    }
}
