/// What the control socket can ask of a running daemon. `SegmentationDaemon` implements it;
/// `ControlServer` turns requests into calls.
public protocol DaemonControl: AnyObject, Sendable {
    /// Every stream's state and counters, in configuration order.
    func streamStatuses() -> [StreamStatus]
    /// Replaces a stream's vocabulary (a built-in name, inline classes or @FILE, as in the config);
    /// returns the new `vocab_version` carried by the next records. Throws `ControlError`.
    func setVocabulary(stream: String, vocabulary: String) throws -> Int
    /// Stops segmenting a stream (its source stays open; frames are counted as skipped).
    func pause(stream: String) throws
    /// Undoes `pause`.
    func resume(stream: String) throws
    /// Re-reads the configuration file (as SIGHUP does); returns a one-line summary of what changed.
    func reload() throws -> String
}

/// A control request that cannot be carried out; the message is sent to the client.
public struct ControlError: Error, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// One stream as `segd ctl list` shows it.
public struct StreamStatus: Codable, Sendable, Equatable {
    public enum State: String, Codable, Sendable, Equatable {
        /// Opening the source.
        case connecting
        /// Frames are flowing.
        case running
        /// The source failed; waiting `retryIn` seconds before reopening.
        case backingOff = "backing-off"
        /// Paused by `segd ctl pause`.
        case paused
        /// Shut down (daemon stopping, or the stream was removed from the config).
        case stopped
        /// Could not start, or ended by an error of its own (`lastError` says which); the other
        /// streams go on. `segd ctl reload` (or SIGHUP) tries it again.
        case failed
    }

    public var name: String
    public var url: String
    public var state: State
    /// The last error of the source (open failure, stall, end of stream), if any.
    public var lastError: String?
    /// Seconds until the next reconnect attempt while backing off.
    public var retryIn: Double?
    public var vocabulary: String
    public var vocabVersion: Int
    public var framesDecoded: Int
    public var framesProcessed: Int
    /// Frames not segmented because a newer frame replaced them while the model was busy (with
    /// this stream or others). Frames passed over by the `fps` limit or while paused are not counted.
    public var framesSkipped: Int
    public var decodeErrors: Int
    public var reconnects: Int
    public var subscribers: Int
    /// Records socket subscribers missed because they read too slowly.
    public var subscriberDrops: Int
    /// Frames waiting for the model (0 or 1).
    public var queueDepth: Int

    public init(name: String, url: String, state: State, lastError: String? = nil, retryIn: Double? = nil,
                vocabulary: String, vocabVersion: Int = 0, framesDecoded: Int = 0, framesProcessed: Int = 0,
                framesSkipped: Int = 0, decodeErrors: Int = 0, reconnects: Int = 0, subscribers: Int = 0,
                subscriberDrops: Int = 0, queueDepth: Int = 0) {
        self.name = name
        self.url = url
        self.state = state
        self.lastError = lastError
        self.retryIn = retryIn
        self.vocabulary = vocabulary
        self.vocabVersion = vocabVersion
        self.framesDecoded = framesDecoded
        self.framesProcessed = framesProcessed
        self.framesSkipped = framesSkipped
        self.decodeErrors = decodeErrors
        self.reconnects = reconnects
        self.subscribers = subscribers
        self.subscriberDrops = subscriberDrops
        self.queueDepth = queueDepth
    }

    public enum CodingKeys: String, CodingKey {
        case name, url, state
        case lastError = "last_error"
        case retryIn = "retry_in"
        case vocabulary
        case vocabVersion = "vocab_version"
        case framesDecoded = "frames_decoded"
        case framesProcessed = "frames_processed"
        case framesSkipped = "frames_skipped"
        case decodeErrors = "decode_errors"
        case reconnects, subscribers
        case subscriberDrops = "subscriber_drops"
        case queueDepth = "queue_depth"
    }
}
