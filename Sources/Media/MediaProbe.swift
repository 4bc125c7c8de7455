import CFFmpeg

/// Tells still images from video inputs before decoding, so one command can take either.
public enum MediaProbe {
    public enum Kind: Sendable, Equatable {
        /// One picture (PNG, JPEG, …): read with `ImageDecoder`.
        case stillImage
        /// A video file, an image sequence (`frames/%06d.png`), a network stream or a device:
        /// read with `VideoSource`.
        case video
    }

    /// The kind of `input`. URLs with a scheme other than `file:` and paths with a printf
    /// pattern (`%d`, `%06d`) are video without opening anything; otherwise the file is opened
    /// and FFmpeg's demuxer decides: its single-image demuxers (`image2` for one file, the
    /// `*_pipe` probes) mean a still image, any other container is video. Throws
    /// `MediaError.cannotOpen` when the file cannot be opened or recognised.
    public static func kind(of input: String) throws -> Kind {
        if let scheme = schemeOf(input), scheme != "file" { return .video }
        if hasSequencePattern(input) { return .video }
        FFmpegLogging.configure()
        var format: UnsafeMutablePointer<AVFormatContext>? = nil
        let status = avformat_open_input(&format, input, nil, nil)
        defer { avformat_close_input(&format) }
        guard status >= 0, let format, let demuxer = format.pointee.iformat?.pointee.name else {
            throw ImageDecoder.openError(path: input, code: status)
        }
        let name = String(cString: demuxer)
        return name == "image2" || name.hasSuffix("_pipe") ? .stillImage : .video
    }

    /// The URL scheme of `input` (`rtsp` in `rtsp://…`), nil for a plain path.
    static func schemeOf(_ input: String) -> String? {
        guard let colon = input.firstIndex(of: ":"), input[colon...].hasPrefix("://") else { return nil }
        let scheme = input[..<colon]
        guard let first = scheme.first, first.isLetter,
              scheme.allSatisfy({ $0.isLetter || $0.isNumber || "+-.".contains($0) }) else { return nil }
        return scheme.lowercased()
    }

    /// Whether `path` holds an image-sequence pattern: `%d` or `%0Nd`.
    static func hasSequencePattern(_ path: String) -> Bool {
        let chars = Array(path)
        for (i, c) in chars.enumerated() where c == "%" {
            var j = i + 1
            while j < chars.count, chars[j].isNumber { j += 1 }
            if j < chars.count, chars[j] == "d" { return true }
        }
        return false
    }
}
