import Logging

/// A `LogHandler` that escapes every message and metadata value (`LogEscaping.escape`) before
/// handing it to the handler it wraps, so that nothing logged — a control client's vocabulary, a
/// stream's error, a file name — can forge a log line or send terminal escapes. `segd serve`
/// installs it around swift-log's standard-error handler.
public struct EscapingLogHandler: LogHandler {
    private var wrapped: any LogHandler

    public init(wrapping handler: any LogHandler) {
        self.wrapped = handler
    }

    public var logLevel: Logger.Level {
        get { wrapped.logLevel }
        set { wrapped.logLevel = newValue }
    }

    public var metadata: Logger.Metadata {
        get { wrapped.metadata }
        set { wrapped.metadata = newValue.mapValues(Self.escape) }
    }

    public var metadataProvider: Logger.MetadataProvider? {
        get { wrapped.metadataProvider }
        set { wrapped.metadataProvider = newValue }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { wrapped[metadataKey: key] }
        set { wrapped[metadataKey: key] = newValue.map(Self.escape) }
    }

    public func log(event: LogEvent) {
        var event = event
        event.message = Logger.Message(stringLiteral: LogEscaping.escape(event.message.description))
        event.metadata = event.metadata?.mapValues(Self.escape)
        wrapped.log(event: event)
    }

    /// A metadata value with every string in it escaped.
    static func escape(_ value: Logger.Metadata.Value) -> Logger.Metadata.Value {
        switch value {
        case .string(let text): return .string(LogEscaping.escape(text))
        case .stringConvertible(let item): return .string(LogEscaping.escape(item.description))
        case .array(let items): return .array(items.map(escape))
        case .dictionary(let entries): return .dictionary(entries.mapValues(escape))
        }
    }
}
