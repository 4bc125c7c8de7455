/// A `FrameSink` that publishes each frame's record on a `LabelSocketServer`.
///
/// `finish()` closes the server when the sink owns it (`closesServer`); a daemon that shares
/// one server per stream across pipeline restarts passes `closesServer: false` and closes the
/// server itself.
public final class LabelSocketSink: FrameSink {
    /// The server records go to.
    public let server: LabelSocketServer
    /// Whether `finish()` closes `server`.
    public let closesServer: Bool
    /// How long `finish()` lets subscribers receive their pending records.
    public let drainTimeout: Double

    public init(server: LabelSocketServer, closesServer: Bool = true, drainTimeout: Double = 2) {
        self.server = server
        self.closesServer = closesServer
        self.drainTimeout = drainTimeout
    }

    /// A sink with its own server on `path` (see `LabelSocketServer.init`).
    public convenience init(path: String, backlogRecords: Int = 64, mode: UInt32 = 0o660) throws {
        self.init(server: try LabelSocketServer(path: path, backlogRecords: backlogRecords, mode: mode))
    }

    /// Publishes `output.record`, then its events; never blocks on subscribers.
    public func write(_ output: FrameOutput) throws {
        server.publish(output.record)
        for event in output.events { server.publish(event) }
    }

    /// Publishes events that belong to no frame (the last `end`s).
    public func write(events: [TrackEvent]) throws {
        for event in events { server.publish(event) }
    }

    /// Closes the server (when owned), delivering pending records for up to `drainTimeout`.
    public func finish() throws {
        if closesServer { server.close(drainTimeout: drainTimeout) }
    }
}
