/// One line of a vocabulary file, or one `;`-separated item of an inline vocabulary.
struct VocabularyItem {
    /// The item's text, without its separator.
    let text: Substring
    /// Where it is: `vocab.txt:3` or `inline vocabulary, class 2`.
    let location: VocabularyLocation
}

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

    /// The lines (`semicolons == false`) or items (`true`) of `text`, numbered from 1.
    ///
    /// Lines end at `\n`, `\r\n` or `\r`; items also at `;`. A leading byte-order mark is skipped.
    /// Every character is checked first: a control character other than tab (and the line breaks
    /// themselves), a Unicode line or paragraph separator, or U+FFFD (what invalid UTF-8 becomes
    /// when bytes are read as a string) is an error that gives the location and byte offset.
    static func items(_ text: String, source: String, unit: VocabularyLocation.Unit, semicolons: Bool) throws -> [VocabularyItem] {
        let scalars = text.unicodeScalars
        var items: [VocabularyItem] = []
        var start = scalars.startIndex
        if scalars.first == "\u{FEFF}" { start = scalars.index(after: start) }
        var offset = start == scalars.startIndex ? 0 : 3
        var index = start
        var afterCR = false
        func location() -> VocabularyLocation {
            VocabularyLocation(source: source, unit: unit, number: items.count + 1)
        }
        func close(at end: String.UnicodeScalarView.Index) {
            items.append(VocabularyItem(text: Substring(scalars[start..<end]), location: location()))
        }
        while index < scalars.endIndex {
            let scalar = scalars[index]
            let next = scalars.index(after: index)
            defer { offset += UTF8.width(scalar) }
            if scalar == "\n" && afterCR {
                // The second half of `\r\n`: the line already ended at `\r`.
                start = next
                afterCR = false
                index = next
                continue
            }
            afterCR = scalar == "\r"
            if scalar == "\n" || scalar == "\r" || (semicolons && scalar == ";") {
                close(at: index)
                start = next
            } else if let problem = rejection(of: scalar) {
                throw VocabularyError(
                    problem.kind, at: location(), "\(problem.what) at byte offset \(offset); \(problem.advice)")
            }
            index = next
        }
        close(at: scalars.endIndex)
        return items
    }

    /// Throws when `synonym` (given in code, not parsed) holds a character `items` rejects.
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

    /// Why `scalar` may not appear in a class, or nil if it may (`items` consumes line breaks first).
    private static func rejection(of scalar: Unicode.Scalar) -> (kind: VocabularyError.Kind, what: String, advice: String)? {
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
        text.count > limit ? text.prefix(limit) + "…" : String(text)
    }

    /// `clipped(text)` in double quotes.
    static func quoted(_ text: some StringProtocol, limit: Int = 60) -> String {
        "\"\(clipped(text, limit: limit))\""
    }
}
