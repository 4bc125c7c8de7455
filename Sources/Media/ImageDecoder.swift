import CFFmpeg
import FCCLIP

/// Decodes a still image (or the first frame of a video) to an 8-bit `RGBImage` with FFmpeg.
///
/// Anything libavformat/libavcodec read works: PNG (8/16-bit, gray, palette, RGBA), JPEG, BMP,
/// TIFF, WebP, GIF, …, and video files, of which the first decodable frame is returned.
///
/// * **Pixel formats** are converted to RGB24 by libswscale (`FrameConverter`). **Alpha is
///   dropped** (the stored colour is kept whatever the opacity; nothing is composited), which
///   matches PIL's `convert("RGB")` used by detectron2's `read_image`. 16-bit samples are
///   reduced to 8 bits by swscale.
/// * **Orientation** is applied when FFmpeg exposes it, in this order: the frame's display
///   matrix (`AV_FRAME_DATA_DISPLAYMATRIX`; FFmpeg's JPEG decoder turns the EXIF Orientation
///   tag into one, so EXIF-rotated JPEGs come out upright, like PIL's `exif_transpose`, which
///   detectron2 applies), then the stream's display matrix (a rotated phone video in MP4/MOV),
///   then an `Orientation` entry of the frame's metadata (EXIF 1…8). Rotations by multiples of
///   90° and mirrorings are applied (see `ImageOrientation`); other angles are ignored. Not
///   handled: EXIF orientation in formats whose FFmpeg decoder does not export it (PNG eXIf,
///   TIFF, WebP, HEIF), which are returned as stored.
/// * **Size limit**: a picture with a side over `maxSide` is refused with
///   `MediaError.tooLarge`. When the size is known before decoding (the container header, or
///   the PNG/JPEG/BMP/GIF header in the first packet) it is refused before anything is
///   decoded; for other formats a `get_buffer2` hook (`DecoderSizeGuard`) refuses it as soon
///   as the decoder has parsed the size, before the picture's buffer is allocated.
/// * **Errors**: missing/unreadable file and unrecognised format → `cannotOpen`; no video
///   stream or no frame → `noPicture`; damaged or truncated data → `decodeFailed`. For
///   still-image codecs any decoding error, or a frame flagged corrupt, is fatal; the JPEG
///   decoder also runs with `AV_EF_EXPLODE`, as it otherwise returns a truncated JPEG with a
///   grey bottom and no error (not set for other codecs: TIFF, for one, would then reject
///   files with tags it does not know). Every FFmpeg object is freed on every path.
/// * FFmpeg's stderr logging is silenced once per process (`FFmpegLogging.configure()`).
public enum ImageDecoder {
    /// The largest width or height accepted by default.
    public static let defaultMaxSide = 8192

    /// Decodes `path` to RGB. Throws `MediaError`.
    public static func decode(path: String, maxSide: Int = ImageDecoder.defaultMaxSide) throws -> RGBImage {
        FFmpegLogging.configure()
        var format: UnsafeMutablePointer<AVFormatContext>? = nil
        let openResult = avformat_open_input(&format, path, nil, nil)
        defer { avformat_close_input(&format) }
        guard openResult >= 0, let format else { throw openError(path: path, code: openResult) }

        let (streamIndex, decoderFound) = try videoStream(format, path: path)
        guard let codec = decoderFound else {
            let id = format.pointee.streams[Int(streamIndex)]!.pointee.codecpar.pointee.codec_id
            throw MediaError.decodeFailed(path: path, reason: "FFmpeg has no decoder for \(String(cString: avcodec_get_name(id)))")
        }
        let stream = format.pointee.streams[Int(streamIndex)]!
        let parameters = stream.pointee.codecpar!
        try checkSize(Int(parameters.pointee.width), Int(parameters.pointee.height), maxSide: maxSide, path: path)

        var context = avcodec_alloc_context3(codec)
        defer { avcodec_free_context(&context) }
        guard let context else { throw MediaError.decodeFailed(path: path, reason: "out of memory") }
        var status = avcodec_parameters_to_context(context, parameters)
        guard status >= 0 else { throw MediaError.decodeFailed(path: path, reason: MediaError.ffmpegMessage(status)) }
        let still = isStillCodec(codec)
        if codec.pointee.id == AV_CODEC_ID_MJPEG { context.pointee.err_recognition |= AV_EF_EXPLODE }
        let sizeGuard = DecoderSizeGuard(maxSide: maxSide)
        sizeGuard.install(on: context)
        defer { withExtendedLifetime(sizeGuard) {} }
        context.pointee.thread_count = 0
        context.pointee.thread_type = FF_THREAD_SLICE
        status = avcodec_open2(context, codec, nil)
        guard status >= 0 else { throw MediaError.decodeFailed(path: path, reason: MediaError.ffmpegMessage(status)) }

        var frame = av_frame_alloc()
        defer { av_frame_free(&frame) }
        var packet = av_packet_alloc()
        defer { av_packet_free(&packet) }
        guard let frame, let packet else { throw MediaError.decodeFailed(path: path, reason: "out of memory") }

        try FirstFrameReader(path: path, format: format, context: context, streamIndex: streamIndex,
                             sizeGuard: sizeGuard, still: still).read(into: frame, packet: packet)
        try checkSize(Int(frame.pointee.width), Int(frame.pointee.height), maxSide: maxSide, path: path)
        if still, frame.pointee.flags & AV_FRAME_FLAG_CORRUPT != 0 || frame.pointee.decode_error_flags != 0 {
            throw MediaError.decodeFailed(path: path, reason: "the picture is damaged or truncated")
        }

        let rgb: [UInt8]
        switch FrameConverter.rgb24(frame) {
        case let .success(pixels): rgb = pixels
        case let .failure(failure): throw MediaError.decodeFailed(path: path, reason: failure.reason)
        }
        let width = Int(frame.pointee.width), height = Int(frame.pointee.height)
        let orientation = orientation(frame: frame, stream: stream)
        let upright = orientation.apply(width: width, height: height, channels: 3, pixels: rgb)
        do {
            return try RGBImage(width: upright.width, height: upright.height, pixels: upright.pixels)
        } catch {
            throw MediaError.decodeFailed(path: path, reason: "\(error)")
        }
    }

    // MARK: - Steps

    static func openError(path: String, code: Int32) -> MediaError {
        if code == segd_averror_invaliddata() {
            return .cannotOpen(path: path, reason: "not an image or video format FFmpeg recognises")
        }
        return .cannotOpen(path: path, reason: MediaError.ffmpegMessage(code))
    }

    /// The best video stream and its decoder. Formats that announce their streams only
    /// while reading (MPEG-TS, …) get `avformat_find_stream_info` first; others skip it, as it
    /// would decode a still image a second time.
    private static func videoStream(_ format: UnsafeMutablePointer<AVFormatContext>, path: String)
        throws -> (Int32, UnsafePointer<AVCodec>?)
    {
        var decoder: UnsafePointer<AVCodec>? = nil
        var index = av_find_best_stream(format, AVMEDIA_TYPE_VIDEO, -1, -1, &decoder, 0)
        if index < 0 {
            let info = avformat_find_stream_info(format, nil)
            guard info >= 0 else {
                throw MediaError.decodeFailed(path: path, reason: MediaError.ffmpegMessage(info))
            }
            index = av_find_best_stream(format, AVMEDIA_TYPE_VIDEO, -1, -1, &decoder, 0)
        }
        if index == segd_averror_decoder_not_found() {
            // A video stream exists but FFmpeg cannot decode it: name the codec.
            for i in 0..<Int32(format.pointee.nb_streams)
            where format.pointee.streams[Int(i)]!.pointee.codecpar.pointee.codec_type == AVMEDIA_TYPE_VIDEO {
                return (i, nil)
            }
        }
        guard index >= 0 else { throw MediaError.noPicture(path: path) }
        // Attached pictures (cover art) are fine too: they are a stream's single packet.
        return (index, decoder)
    }

    static func checkSize(_ width: Int, _ height: Int, maxSide: Int, path: String) throws {
        if width > maxSide || height > maxSide {
            throw MediaError.tooLarge(path: path, width: width, height: height, limit: maxSide)
        }
    }

    /// Intra-only codecs (PNG, JPEG, BMP, TIFF, WebP, …) decode one picture per packet: any
    /// error there is a damaged picture. Inter codecs may legitimately fail on the first
    /// packets of a stream that starts mid-GOP.
    private static func isStillCodec(_ codec: UnsafePointer<AVCodec>) -> Bool {
        guard let descriptor = avcodec_descriptor_get(codec.pointee.id) else { return false }
        return descriptor.pointee.props & AV_CODEC_PROP_INTRA_ONLY != 0
    }

    private static func orientation(frame: UnsafeMutablePointer<AVFrame>, stream: UnsafeMutablePointer<AVStream>) -> ImageOrientation {
        if let side = av_frame_get_side_data(frame, AV_FRAME_DATA_DISPLAYMATRIX), side.pointee.size >= 36,
           let o = ImageOrientation(displayMatrix: matrix(side.pointee.data)) {
            return o
        }
        var size: Int = 0
        if let data = av_stream_get_side_data(stream, AV_PKT_DATA_DISPLAYMATRIX, &size), size >= 36,
           let o = ImageOrientation(displayMatrix: matrix(data)) {
            return o
        }
        if let entry = av_dict_get(frame.pointee.metadata, "Orientation", nil, 0), let value = entry.pointee.value,
           let n = Int(String(cString: value).trimmingSpaces), let o = ImageOrientation(rawValue: n) {
            return o
        }
        return .identity
    }

    private static func matrix(_ bytes: UnsafeMutablePointer<UInt8>) -> [Int32] {
        (0..<9).map { UnsafeRawPointer(bytes).loadUnaligned(fromByteOffset: $0 * 4, as: Int32.self) }
    }
}

private extension String {
    var trimmingSpaces: Substring {
        let s = drop { $0 == " " }
        return s.prefix { $0 != " " && $0 != "\0" }
    }
}
