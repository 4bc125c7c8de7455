import Daemon
import Foundation
import Logging
import Testing

/// Nothing logged can forge a log line or send terminal escapes.
@Suite struct LogEscapingTests {
    @Test func controlCharactersAreEscapedAndTextIsKept() {
        let cases: [(String, String)] = [
            ("person", "person"),
            ("forklift, fork lift truck; Gabelstapler; 叉车", "forklift, fork lift truck; Gabelstapler; 叉车"),
            ("person\nFAKE LOG LINE", "person\\nFAKE LOG LINE"),
            ("a\r\nb\tc", "a\\r\\nb\\tc"),
            ("\u{1B}[31mred\u{1B}[0m", "\\u{1B}[31mred\\u{1B}[0m"),
            ("nul\u{0}bel\u{7}del\u{7F}c1\u{85}", "nul\\u{0}bel\\u{7}del\\u{7F}c1\\u{85}"),
            ("line\u{2028}sep\u{2029}", "line\\u{2028}sep\\u{2029}"),
            ("bidi\u{202E}txt.exe\u{2066}", "bidi\\u{202E}txt.exe\\u{2066}"),
            ("back\\slash\\n", "back\\\\slash\\\\n"),
        ]
        for (input, expected) in cases {
            #expect(LogEscaping.escape(input) == expected, "\(input.debugDescription)")
        }
        #expect(LogEscaping.quote("a\"b\n") == "\"a\\\"b\\n\"")
    }

    /// Every escaped text is one line of printable characters, and the escaping can be undone
    /// (no two inputs give the same line): checked on random strings of nasty characters.
    @Test func escapedTextIsOneLineAndUnambiguous() {
        let alphabet: [Unicode.Scalar] = ["a", "\\", "n", "u", "{", "}", "\n", "\r", "\t", "\u{0}", "\u{1B}", "\u{7F}",
                                          "\u{85}", "\u{9F}", "\u{A0}", "\u{2028}", "\u{202E}", "é"]
        var seen: [String: String] = [:]
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<5000 {
            var scalars = String.UnicodeScalarView()
            for _ in 0..<Int.random(in: 0...6, using: &rng) { scalars.append(alphabet.randomElement(using: &rng)!) }
            let text = String(scalars)
            let escaped = LogEscaping.escape(text)
            #expect(!escaped.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) || $0 == "\u{2028}" || $0 == "\u{202E}" })
            if let other = seen[escaped] { #expect(other == text, "\(other.debugDescription) and \(text.debugDescription) escape alike") }
            seen[escaped] = text
        }
    }

    /// The handler `segd serve` installs escapes the message and metadata it passes on.
    @Test func theLogHandlerEscapesMessagesAndMetadata() {
        let sink = CapturingLogHandler.Sink()
        var handler = EscapingLogHandler(wrapping: CapturingLogHandler(sink: sink))
        handler.logLevel = .debug
        handler[metadataKey: "client"] = "evil\nline"
        let logger = Logger(label: "test") { _ in handler }
        logger.info("vocabulary set to person\nFAKE LOG LINE \u{1B}[2J", metadata: ["stream": "dock\r\nx"])
        let events = sink.events
        #expect(events.count == 1)
        #expect(events.first?.message == "vocabulary set to person\\nFAKE LOG LINE \\u{1B}[2J")
        #expect(events.first?.metadata["stream"] == "dock\\r\\nx")
        #expect(events.first?.handlerMetadata["client"] == "evil\\nline")
    }
}

/// Records what reaches it.
struct CapturingLogHandler: LogHandler {
    struct Event: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: [String: String]
        var handlerMetadata: [String: String]
    }

    final class Sink: @unchecked Sendable {
        private let lock = NSLock()
        private var stored: [Event] = []
        var events: [Event] { lock.withLock { stored } }
        var lines: [String] { events.map(\.message) }
        func append(_ event: Event) { lock.withLock { stored.append(event) } }
    }

    let sink: Sink
    var logLevel: Logger.Level = .trace
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        sink.append(Event(level: event.level, message: event.message.description,
                          metadata: (event.metadata ?? [:]).mapValues { "\($0)" },
                          handlerMetadata: metadata.mapValues { "\($0)" }))
    }
}
