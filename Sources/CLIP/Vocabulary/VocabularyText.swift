/// The character-level rules every vocabulary text follows, whatever it comes from: a size
/// limit, UTF-8 only, no control characters; and the split into lines or items.
///
/// Everything works on Unicode scalars (not Characters), so a separator followed by a combining
/// mark still separates, and every error can give an exact byte offset.
enum VocabularyText {
    /// Throws `.tooLarge` when `byteCount` exceeds `VocabularyLimits.maxTextBytes`; `what` names the text.
    static func checkSize(_ byteCount: Int, of what: String) throws {
        let limit = VocabularyLimits.maxTextBytes
        guard byteCount > limit else { return }
        throw VocabularyError(
            .tooLarge, at: nil,
            "\(what) has \(byteCount) bytes; a vocabulary may have at most \(limit) bytes (1 MiB)")
    }

    /// Throws when `synonym` (given in code, not parsed) holds a character `VocabularyItemReader` rejects.
    static func checkSynonym(_ synonym: String, number: Int, of count: Int, at location: VocabularyLocation) throws {
        var offset = 0
        for scalar in synonym.unicodeScalars {
            if let problem = rejection(of: scalar) {
                throw VocabularyError(
                    problem.kind, at: location,
                    "synonym \(number) of \(count) has \(problem.what) at byte offset \(offset); \(problem.advice)")
            }
            offset += UTF8.width(scalar)
        }
    }

    /// Why `scalar` may not appear in a class, or nil if it may (`VocabularyItemReader` consumes
    /// line breaks first).
    static func rejection(of scalar: Unicode.Scalar) -> (kind: VocabularyError.Kind, what: String, advice: String)? {
        if scalar == "\u{FFFD}" {
            return (.invalidUTF8, "U+FFFD (the replacement character)",
                    "bytes that are not UTF-8 become U+FFFD when read as text, and a vocabulary must be UTF-8 text")
        }
        if scalar == "\t" { return nil }
        switch scalar.properties.generalCategory {
        case .control, .lineSeparator, .paragraphSeparator:
            return (.controlCharacter, "control character \(describe(scalar))",
                    "a vocabulary may not contain control characters (tab counts as a space)")
        default:
            return nil
        }
    }

    /// `U+0000 (NUL)`, `U+001B (escape)`, `U+0007`.
    private static func describe(_ scalar: Unicode.Scalar) -> String {
        let names: [UInt32: String] = [
            0x00: "NUL", 0x0A: "line feed", 0x0B: "vertical tab", 0x0C: "form feed", 0x0D: "carriage return",
            0x1B: "escape", 0x7F: "delete", 0x85: "next line", 0x2028: "line separator", 0x2029: "paragraph separator",
        ]
        let hex = String(scalar.value, radix: 16, uppercase: true)
        let code = "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
        return names[scalar.value].map { "\(code) (\($0))" } ?? code
    }

    /// `bytes` as a string when they are UTF-8; otherwise `.invalidUTF8` naming the line of
    /// `source` and the byte offset of the first byte that is not.
    static func decodeUTF8(_ bytes: some Collection<UInt8>, source: String) throws -> String {
        let array = Array(bytes)
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = array.makeIterator()
        var offset = 0
        var line = 1
        var previous: UInt8 = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded):
                for byte in encoded {
                    if byte == 0x0D || (byte == 0x0A && previous != 0x0D) { line += 1 }
                    previous = byte
                }
                offset += encoded.count
            case .error:
                let location = VocabularyLocation(source: source, unit: .line, number: line)
                throw VocabularyError(
                    .invalidUTF8, at: location,
                    "invalid UTF-8 at byte offset \(offset) (byte 0x\(hexByte(array[offset]))); a vocabulary must be UTF-8 text")
            case .emptyInput:
                return String(decoding: array, as: UTF8.self)
            }
        }
    }

    private static func hexByte(_ byte: UInt8) -> String {
        let hex = String(byte, radix: 16, uppercase: true)
        return hex.count == 1 ? "0" + hex : hex
    }

    /// `text`, cut to `limit` characters with an ellipsis, for messages (a line may be 1 MiB).
    static func clipped(_ text: some StringProtocol, limit: Int = 60) -> String {
        text.prefix(limit + 1).count > limit ? text.prefix(limit) + "…" : String(text)
    }

    /// `scalars` without leading and trailing white space (the Unicode White_Space property: the
    /// same set as Foundation's `.whitespacesAndNewlines`, without a round trip through it).
    static func trimmed(_ scalars: Substring.UnicodeScalarView) -> Substring.UnicodeScalarView {
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return scalars[scalars.endIndex...] }
        return scalars[first...last]
    }

    /// True when `text` is empty or only white space.
    static func isBlank(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy(\.properties.isWhitespace)
    }

    /// `clipped(text)` in double quotes.
    static func quoted(_ text: some StringProtocol, limit: Int = 60) -> String {
        "\"\(clipped(text, limit: limit))\""
    }
}
