import Foundation

/// One request on the control socket: a JSON object on one line, such as
/// `{"command":"vocab","stream":"dock","vocabulary":"thing: person; forklift"}`.
///
/// `ControlClient` sends it; `ControlServer` parses it with `ControlRequest.parse(_:)`, which
/// turns every malformed line into a `ControlError` whose message is sent back to the client.
public struct ControlRequest: Codable, Sendable, Equatable {
    /// What the client asks for.
    public enum Command: String, Codable, Sendable, CaseIterable {
        /// Every stream's status (`DaemonControl.streamStatuses()`).
        case list
        /// Replace a stream's vocabulary; needs `stream` and `vocabulary`.
        case vocab
        /// Stop segmenting a stream; needs `stream`.
        case pause
        /// Undo `pause`; needs `stream`.
        case resume
        /// Re-read the configuration file.
        case reload
        /// Check that the daemon answers; the reply's message is "pong".
        case ping
    }

    public var command: Command
    /// The stream's name (for `vocab`, `pause`, `resume`).
    public var stream: String?
    /// The new vocabulary (for `vocab`): a built-in name, inline classes or @FILE.
    public var vocabulary: String?

    public init(command: Command, stream: String? = nil, vocabulary: String? = nil) {
        self.command = command
        self.stream = stream
        self.vocabulary = vocabulary
    }

    /// `{"command":"list"}`.
    public static var list: ControlRequest { ControlRequest(command: .list) }
    /// `{"command":"reload"}`.
    public static var reload: ControlRequest { ControlRequest(command: .reload) }
    /// `{"command":"ping"}`.
    public static var ping: ControlRequest { ControlRequest(command: .ping) }
    /// `{"command":"vocab","stream":…,"vocabulary":…}`.
    public static func vocab(stream: String, vocabulary: String) -> ControlRequest {
        ControlRequest(command: .vocab, stream: stream, vocabulary: vocabulary)
    }
    /// `{"command":"pause","stream":…}`.
    public static func pause(stream: String) -> ControlRequest { ControlRequest(command: .pause, stream: stream) }
    /// `{"command":"resume","stream":…}`.
    public static func resume(stream: String) -> ControlRequest { ControlRequest(command: .resume, stream: stream) }

    /// The request as one JSON line, without the newline.
    public func jsonLine() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding three optional strings and an enum cannot fail.
        return String(decoding: (try? encoder.encode(self)) ?? Data(#"{"command":"ping"}"#.utf8), as: UTF8.self)
    }

    /// Parses one request line (without its newline).
    ///
    /// - Throws: `ControlError` with a message meant for the client: not JSON, not an object,
    ///   no or unknown `command`, a missing `stream` or `vocabulary`.
    public static func parse<Bytes: Collection>(_ line: Bytes) throws(ControlError) -> ControlRequest
    where Bytes.Element == UInt8 {
        let wire: WireRequest
        do {
            wire = try JSONDecoder().decode(WireRequest.self, from: Data(line))
        } catch DecodingError.dataCorrupted {
            throw ControlError("invalid JSON: a request is one JSON object per line, e.g. {\"command\":\"list\"}")
        } catch {
            throw ControlError("invalid request: expected a JSON object with string fields command, stream and vocabulary, e.g. {\"command\":\"list\"}")
        }
        guard let name = wire.command else {
            throw ControlError("missing \"command\" (one of \(Self.commandList))")
        }
        guard let command = Command(rawValue: name) else {
            throw ControlError("unknown command \"\(name.prefix(64))\" (expected one of \(Self.commandList))")
        }
        let request = ControlRequest(command: command, stream: wire.stream, vocabulary: wire.vocabulary)
        let hasStream = !(wire.stream ?? "").isEmpty
        switch command {
        case .vocab:
            guard hasStream else { throw ControlError("\"vocab\" needs a \"stream\"") }
            guard !(wire.vocabulary ?? "").isEmpty else { throw ControlError("\"vocab\" needs a \"vocabulary\"") }
        case .pause, .resume:
            guard hasStream else { throw ControlError("\"\(command.rawValue)\" needs a \"stream\"") }
        case .list, .reload, .ping:
            break
        }
        return request
    }

    private static var commandList: String {
        Command.allCases.map(\.rawValue).joined(separator: ", ")
    }

    /// The lenient shape a line is first decoded into, so that each mistake gets its own message.
    private struct WireRequest: Decodable {
        var command: String?
        var stream: String?
        var vocabulary: String?
    }
}

/// One response on the control socket, one JSON line per request:
/// `{"ok":true,"streams":[…]}`, `{"ok":true,"vocab_version":3}`, `{"ok":true,"message":"…"}` or
/// `{"ok":false,"error":"…"}`. Absent fields are omitted.
public struct ControlResponse: Codable, Sendable, Equatable {
    /// Whether the request was carried out.
    public var ok: Bool
    /// Why not, when `ok` is false.
    public var error: String?
    /// A one-line summary (`pause`, `resume`, `reload`, `ping`).
    public var message: String?
    /// The stream's new vocabulary version (`vocab`).
    public var vocabVersion: Int?
    /// Every stream (`list`).
    public var streams: [StreamStatus]?

    public init(ok: Bool, error: String? = nil, message: String? = nil, vocabVersion: Int? = nil,
                streams: [StreamStatus]? = nil) {
        self.ok = ok
        self.error = error
        self.message = message
        self.vocabVersion = vocabVersion
        self.streams = streams
    }

    /// `{"ok":false,"error":message}`.
    public static func failure(_ message: String) -> ControlResponse { ControlResponse(ok: false, error: message) }
    /// `{"ok":true,"message":message}`.
    public static func success(_ message: String) -> ControlResponse { ControlResponse(ok: true, message: message) }

    public enum CodingKeys: String, CodingKey {
        case ok, error, message
        case vocabVersion = "vocab_version"
        case streams
    }

    /// The response as one JSON line, without the newline: `ok` first, then `error`, `message`,
    /// `vocab_version` and `streams` when present (each stream's keys sorted).
    public func jsonLine() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            var line = ok ? #"{"ok":true"# : #"{"ok":false"#
            func append<Value: Encodable>(_ key: CodingKeys, _ value: Value?) throws {
                guard let value else { return }
                line += ",\"\(key.rawValue)\":"
                line += String(decoding: try encoder.encode(value), as: UTF8.self)
            }
            try append(.error, error)
            try append(.message, message)
            try append(.vocabVersion, vocabVersion)
            try append(.streams, streams)
            return line + "}"
        } catch {
            // Only a non-finite `retry_in` can fail to encode; report it rather than send nothing.
            return #"{"ok":false,"error":"the response could not be encoded as JSON"}"#
        }
    }
}
