/// The bounds `MetricsServer` puts on its HTTP clients.
public struct MetricsServerLimits: Sendable, Equatable {
    /// Connections served at once; further ones get `503` and are closed.
    public var maxConnections: Int
    /// Request body bytes accepted (a scrape has none); more gets `413` and the connection closes.
    /// Request heads are bounded by NIO's HTTP parser (80 KiB); larger ones get `400`.
    public var maxBodyBytes: Int
    /// Seconds a connection may go without completing a request before it is closed (counted
    /// from its connection or its last response).
    public var idleTimeout: Double

    public init(maxConnections: Int = 32, maxBodyBytes: Int = 16 * 1024, idleTimeout: Double = 60) {
        precondition(maxConnections >= 1, "maxConnections must be at least 1")
        precondition(maxBodyBytes >= 0, "maxBodyBytes must not be negative")
        precondition(idleTimeout > 0 && idleTimeout.isFinite, "idleTimeout must be positive")
        self.maxConnections = maxConnections
        self.maxBodyBytes = maxBodyBytes
        self.idleTimeout = idleTimeout
    }
}
