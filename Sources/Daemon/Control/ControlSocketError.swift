import LabelStream

/// Errors of the control socket, on the server side (`ControlServer`) and the client side
/// (`ControlClient`). `description` says what went wrong and what to do about it.
public enum ControlSocketError: Error, Equatable, CustomStringConvertible {
    /// The path does not fit in a Unix socket address (`limit` bytes at most).
    case pathTooLong(path: String, limit: Int)
    /// A live server already listens on the path.
    case alreadyServing(path: String)
    /// The path exists and is not a socket.
    case notASocket(path: String)
    /// The server could not bind or listen on the path.
    case bindFailed(path: String, reason: String)
    /// The socket file's mode could not be set.
    case chmodFailed(path: String, reason: String)
    /// Nothing exists at the path (client side).
    case noSocket(path: String)
    /// The path is a socket file that nobody listens on (client side).
    case notListening(path: String)
    /// The caller may not connect to (or inspect) the path; `group` is the socket's group, when known.
    case permissionDenied(path: String, group: String?)
    /// Connecting failed for another reason.
    case connectFailed(path: String, reason: String)
    /// The daemon did not answer within the client's timeout.
    case timedOut(path: String, seconds: Double)
    /// Sending or receiving failed.
    case ioFailed(path: String, reason: String)
    /// The daemon closed the connection without a complete response.
    case closedWithoutResponse(path: String)
    /// The response line exceeded the client's bound.
    case responseTooLong(path: String, limit: Int)
    /// The response line is not a control response.
    case invalidResponse(path: String, reason: String)

    public var description: String {
        switch self {
        case let .pathTooLong(path, limit):
            return "control socket path \(path) is too long (\(path.utf8.count) bytes; Unix sockets allow at most \(limit)): choose a shorter control_socket"
        case let .alreadyServing(path):
            return "another segd already listens on the control socket \(path): stop it, or set another control_socket in the config"
        case let .notASocket(path):
            return "\(path) exists and is not a socket: remove it, or set another control_socket in the config"
        case let .bindFailed(path, reason):
            return "cannot listen on the control socket \(path): \(reason)"
        case let .chmodFailed(path, reason):
            return "cannot set the mode of the control socket \(path): \(reason)"
        case let .noSocket(path):
            return "no segd control socket at \(path): is `segd serve` running? (see control_socket in the config)"
        case let .notListening(path):
            return "nobody listens on the control socket \(path) (a stale socket file): is `segd serve` running? (see control_socket in the config)"
        case let .permissionDenied(path, group):
            let who = group.map { "its owner or members of group '\($0)'" } ?? "its owner and group"
            return "permission denied on the control socket \(path): only \(who) may use it; run as such a user (or with sudo)"
        case let .connectFailed(path, reason):
            return "cannot connect to the control socket \(path): \(reason)"
        case let .timedOut(path, seconds):
            return "segd did not answer on \(path) within \(seconds) s"
        case let .ioFailed(path, reason):
            return "talking to segd on \(path) failed: \(reason)"
        case let .closedWithoutResponse(path):
            return "segd closed the control connection on \(path) without answering"
        case let .responseTooLong(path, limit):
            return "a response from \(path) is longer than \(limit) bytes: not a segd control socket?"
        case let .invalidResponse(path, reason):
            return "a response from \(path) is not a segd control response: \(reason)"
        }
    }
}

extension ControlSocketError {
    /// Throws `.pathTooLong` when `path` does not fit in a socket address.
    static func validate(_ path: String) throws(ControlSocketError) {
        if !UnixSocketAddress.fits(path) { throw .pathTooLong(path: path, limit: UnixSocketAddress.maxPathBytes) }
    }
}
