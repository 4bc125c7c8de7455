/// Errors of the label-stream socket: the server (`LabelSocketServer`) and the client
/// (`LabelSocketClient`). `description` says what went wrong and what to do about it.
public enum LabelSocketError: Error, Equatable, CustomStringConvertible {
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
    /// The caller may not connect to (or inspect) the path.
    case permissionDenied(path: String)
    /// Connecting failed for another reason.
    case connectFailed(path: String, reason: String)
    /// No data arrived within the client's timeout.
    case timedOut(path: String, seconds: Double)
    /// Reading from the socket failed.
    case readFailed(path: String, reason: String)
    /// The server closed the connection in the middle of a line.
    case truncatedLine(path: String, bytes: Int)
    /// A line exceeded the client's bound without a newline.
    case lineTooLong(path: String, limit: Int)
    /// A line is not a valid label-stream record.
    case invalidRecord(path: String, reason: String)

    public var description: String {
        switch self {
        case let .pathTooLong(path, limit):
            return "socket path \(path) is too long (\(path.utf8.count) bytes; Unix sockets allow at most \(limit)): choose a shorter path"
        case let .alreadyServing(path):
            return "another server already listens on \(path): stop it (or choose another --socket path)"
        case let .notASocket(path):
            return "\(path) exists and is not a socket: remove it or choose another --socket path"
        case let .bindFailed(path, reason):
            return "cannot listen on \(path): \(reason)"
        case let .chmodFailed(path, reason):
            return "cannot set the mode of socket \(path): \(reason)"
        case let .noSocket(path):
            return "no segd socket at \(path): is segd running with --socket?"
        case let .notListening(path):
            return "nobody listens on \(path) (a stale socket file, or not a socket): is segd running with --socket?"
        case let .permissionDenied(path):
            return "permission denied on \(path): the socket is group-accessible only (mode 0660); run as its owner or a member of its group"
        case let .connectFailed(path, reason):
            return "cannot connect to \(path): \(reason)"
        case let .timedOut(path, seconds):
            return "no data from \(path) within \(seconds) s"
        case let .readFailed(path, reason):
            return "reading from \(path) failed: \(reason)"
        case let .truncatedLine(path, bytes):
            return "\(path) closed the connection in the middle of a line (\(bytes) bytes without a newline)"
        case let .lineTooLong(path, limit):
            return "a line from \(path) is longer than \(limit) bytes: not a segd label stream?"
        case let .invalidRecord(path, reason):
            return "a line from \(path) is not a label-stream record: \(reason)"
        }
    }
}
