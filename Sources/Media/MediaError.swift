import CFFmpeg

/// Errors reading or writing media. Each names the file or URL and what went wrong.
public enum MediaError: Error, CustomStringConvertible, Equatable {
    /// FFmpeg could not open or read the input.
    case cannotOpen(path: String, reason: String)
    /// The input has no picture (no video stream, or no decodable frame).
    case noPicture(path: String)
    /// The picture is larger than segd accepts.
    case tooLarge(path: String, width: Int, height: Int, limit: Int)
    /// Decoding failed.
    case decodeFailed(path: String, reason: String)
    /// Encoding or writing an output failed.
    case writeFailed(path: String, reason: String)
    /// A video input sent no data for `seconds` (while opening or reading).
    case stalled(url: String, seconds: Double)
    /// `VideoSource.interrupt()` stopped the input (shutdown).
    case interrupted(url: String)
    /// Reading a live input (network stream, device) failed after it was opened.
    case readFailed(url: String, reason: String)

    public var description: String {
        switch self {
        case let .cannotOpen(path, reason): return "\(path): cannot open: \(reason)"
        case let .noPicture(path): return "\(path): contains no picture that FFmpeg can decode"
        case let .tooLarge(path, w, h, limit):
            return "\(path): \(w)x\(h) pixels exceeds the limit of \(limit) pixels per side; scale the image down first"
        case let .decodeFailed(path, reason): return "\(path): cannot decode: \(reason)"
        case let .writeFailed(path, reason): return "\(path): cannot write: \(reason)"
        case let .stalled(url, seconds):
            return "\(url): no data received for \(Self.seconds(seconds)) s; check that the source is up and sending, or raise the timeout"
        case let .interrupted(url): return "\(url): reading was interrupted (the source is being shut down)"
        case let .readFailed(url, reason):
            return "\(url): reading failed: \(reason); the stream was lost, reconnect to continue"
        }
    }

    /// A duration without a needless fraction: "10", "0.5".
    private static func seconds(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }

    /// FFmpeg's message for an AVERROR code.
    public static func ffmpegMessage(_ code: Int32) -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        av_strerror(code, &buffer, buffer.count)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
