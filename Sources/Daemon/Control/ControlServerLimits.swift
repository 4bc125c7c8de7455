/// The bounds `ControlServer` puts on its clients, so that a misbehaving client can neither
/// crash nor block the daemon nor make it buffer without bound.
public struct ControlServerLimits: Sendable, Equatable {
    /// The longest request line, in bytes without the newline. A longer line gets an error
    /// response and the connection is closed.
    public var maxLineBytes: Int
    /// Seconds a connection may go without completing a request (counted from its connection
    /// or its last response) before it is closed. Time spent carrying out a request does not count.
    public var idleTimeout: Double
    /// Connections served at once. When all are open, a newcomer evicts the connection idle the
    /// longest, if one has been idle for `evictionIdle` seconds; otherwise it gets an error line
    /// and is closed at once.
    public var maxConnections: Int
    /// Seconds a connection must have been idle (no request in progress, nothing received or
    /// answered) before a newcomer may evict it from a full server.
    public var evictionIdle: Double
    /// Bytes of responses a connection may have queued before the server stops reading and
    /// answering its requests until the client reads (NIO's write-buffer high water mark).
    public var maxPendingResponseBytes: Int

    public init(maxLineBytes: Int = 64 * 1024, idleTimeout: Double = 10, maxConnections: Int = 64,
                maxPendingResponseBytes: Int = 256 * 1024, evictionIdle: Double = 1) {
        precondition(maxLineBytes >= 64, "maxLineBytes must be at least 64")
        precondition(idleTimeout > 0 && idleTimeout.isFinite, "idleTimeout must be positive")
        precondition(maxConnections >= 1, "maxConnections must be at least 1")
        precondition(maxPendingResponseBytes >= 1024, "maxPendingResponseBytes must be at least 1024")
        self.maxLineBytes = maxLineBytes
        self.idleTimeout = idleTimeout
        self.maxConnections = maxConnections
        self.maxPendingResponseBytes = maxPendingResponseBytes
        self.evictionIdle = evictionIdle.isFinite && evictionIdle >= 0 ? evictionIdle : 1
    }
}
