/// Errors of `MetricsServer`.
public enum MetricsServerError: Error, Equatable, CustomStringConvertible {
    /// `metrics.listen` is not a valid `host:port`.
    case invalidListen(String, reason: String)
    /// Binding the address failed (in use, not permitted, unknown host).
    case bindFailed(String, reason: String)

    public var description: String {
        switch self {
        case let .invalidListen(text, reason):
            return "invalid metrics listen address \"\(text)\": \(reason)"
        case let .bindFailed(text, reason):
            return "cannot serve metrics on \(text): \(reason)"
        }
    }
}
