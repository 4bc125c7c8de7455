import Foundation

/// ftfy 6.1.3's character-level fixers (everything in `fix_text` except the mojibake repair
/// and the normalisation), each a function from scalars to scalars.
enum CharacterFixes {
    /// `unescape_html`: replaces `&name;` when the name, with its semicolon, is an HTML5
    /// entity, or is an all-capitals spelling of a lower-case one that is not itself an entity
    /// ("&EACUTE;" → "É"), and `&#…;` when Python's `html.unescape` consumes all of it. The
    /// reference must match `&#?[0-9A-Za-z]{1,24};`; others are left alone, unlike the
    /// looser `html.unescape`.
    static func unescapeHTML(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        guard text.contains("&") else { return text }
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(text.count)
        var i = 0
        while i < text.count {
            if text[i] == "&", let end = entityEnd(in: text, at: i) {
                let reference = Array(text[i..<end])
                out.append(contentsOf: entityReplacement(reference) ?? reference)
                i = end
            } else {
                out.append(text[i])
                i += 1
            }
        }
        return out
    }

    /// End of a match of `&#?[0-9A-Za-z]{1,24};` starting at `i`.
    private static func entityEnd(in text: [Unicode.Scalar], at i: Int) -> Int? {
        var start = i + 1
        if start < text.count, text[start] == "#" { start += 1 }
        var end = start
        while end < text.count, end - start <= 24, isASCIIAlphanumeric(text[end]) { end += 1 }
        let length = end - start
        guard length >= 1, length <= 24, end < text.count, text[end] == ";" else { return nil }
        return end + 1
    }

    private static func entityReplacement(_ reference: [Unicode.Scalar]) -> [Unicode.Scalar]? {
        if let replacement = entities[String(String.UnicodeScalarView(reference))] { return replacement }
        guard reference[1] == "#" else { return nil }
        let unescaped = HTMLUnescape.unescape(reference)
        return unescaped.contains(";") ? nil : unescaped
    }

    /// "&name;" → replacement: the HTML5 names that end in ";", plus the all-capitals form of
    /// each lower-case name when Python's `html.unescape` leaves that form alone, mapped to the
    /// upper-cased replacement.
    private static let entities: [String: [Unicode.Scalar]] = {
        var table: [String: [Unicode.Scalar]] = [:]
        for (name, replacement) in HTMLEntityTable.replacements where name.hasSuffix(";") {
            table["&" + name] = replacement
        }
        for (name, replacement) in HTMLEntityTable.replacements where name.hasSuffix(";") && name == name.lowercased() {
            let upper = "&" + name.uppercased()
            let scalars = Array(upper.unicodeScalars)
            if HTMLUnescape.unescape(scalars) == scalars {
                table[upper] = PythonStringSemantics.uppercased(replacement)
            }
        }
        return table
    }()

    private static func isASCIIAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: return true
        default: return false
        }
    }

    /// `remove_terminal_escapes`: deletes ANSI escapes `ESC [ (digits or ;)* letter`.
    static func removeTerminalEscapes(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        guard text.contains("\u{1B}") else { return text }
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(text.count)
        var i = 0
        while i < text.count {
            if text[i] == "\u{1B}", i + 1 < text.count, text[i + 1] == "[" {
                var end = i + 2
                while end < text.count, text[end] == ";" || PythonStringSemantics.isDecimalDigit(text[end]) { end += 1 }
                if end < text.count, isASCIILetter(text[end]) {
                    i = end + 1
                    continue
                }
            }
            out.append(text[i])
            i += 1
        }
        return out
    }

    private static func isASCIILetter(_ scalar: Unicode.Scalar) -> Bool {
        (0x41...0x5A).contains(scalar.value) || (0x61...0x7A).contains(scalar.value)
    }

    /// `fix_c1_controls`: U+0080…U+009F become their Windows-1252 characters (the five bytes
    /// Windows-1252 leaves undefined stay as they are).
    static func fixC1Controls(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        text.map { (0x80...0x9F).contains($0.value) ? SingleByteEncoding.windows1252.character(for: UInt8($0.value)) : $0 }
    }

    /// `fix_latin_ligatures`: Latin typographic ligatures and the legacy digraph characters
    /// become their letters ("ﬁ" → "fi", "Ǆ" → "DŽ"); ligatures such as "æ" are kept.
    static func fixLatinLigatures(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        guard text.contains(where: { ligatures[$0.value] != nil }) else { return text }
        return text.flatMap { ligatures[$0.value].map { Array($0.unicodeScalars) } ?? [$0] }
    }

    private static let ligatures: [UInt32: String] = [
        0x0132: "IJ", 0x0133: "ij", 0x0149: "\u{02BC}n", 0x01F1: "DZ", 0x01F2: "Dz", 0x01F3: "dz",
        0x01C4: "D\u{017D}", 0x01C5: "D\u{017E}", 0x01C6: "d\u{017E}", 0x01C7: "LJ", 0x01C8: "Lj", 0x01C9: "lj",
        0x01CA: "NJ", 0x01CB: "Nj", 0x01CC: "nj", 0xFB00: "ff", 0xFB01: "fi", 0xFB02: "fl", 0xFB03: "ffi",
        0xFB04: "ffl", 0xFB05: "\u{017F}t", 0xFB06: "st",
    ]

    /// `fix_character_width`: full-width ASCII and half-width katakana/Hangul (U+FF01…U+FFEF)
    /// become their compatibility (NFKC) forms, and the ideographic space U+3000 a space.
    static func fixCharacterWidth(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        guard text.contains(where: { $0.value == 0x3000 || (0xFF01...0xFFEF).contains($0.value) }) else { return text }
        return text.flatMap { widthMap[$0.value] ?? [$0] }
    }

    private static let widthMap: [UInt32: [Unicode.Scalar]] = {
        var map: [UInt32: [Unicode.Scalar]] = [0x3000: [" "]]
        for value in UInt32(0xFF01)...0xFFEF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let compatible = Array(String(scalar).precomposedStringWithCompatibilityMapping.unicodeScalars)
            if compatible != [scalar] { map[value] = compatible }
        }
        return map
    }()

    /// `uncurl_quotes`: U+2018…U+201B and U+02BC become "'", U+201C…U+201F become '"'.
    static func uncurlQuotes(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        text.map { scalar in
            switch scalar.value {
            case 0x02BC, 0x2018...0x201B: return "'"
            case 0x201C...0x201F: return "\""
            default: return scalar
            }
        }
    }

    /// `fix_line_breaks`: CRLF, CR, U+2028, U+2029 and U+0085 become "\n".
    static func fixLineBreaks(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(text.count)
        var i = 0
        while i < text.count {
            switch text[i].value {
            case 0x0D:
                out.append("\n")
                if i + 1 < text.count, text[i + 1] == "\n" { i += 1 }
            case 0x2028, 0x2029, 0x85:
                out.append("\n")
            default:
                out.append(text[i])
            }
            i += 1
        }
        return out
    }

    /// `remove_control_chars`: deletes C0 controls other than \t \n \f \r, DEL, the deprecated
    /// Arabic format characters U+206A…U+206F, the byte-order mark U+FEFF and the interlinear
    /// annotation characters and object replacement character U+FFF9…U+FFFC.
    static func removeControlCharacters(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        text.filter { scalar in
            switch scalar.value {
            case 0x00...0x08, 0x0B, 0x0E...0x1F, 0x7F, 0x206A...0x206F, 0xFEFF, 0xFFF9...0xFFFC: return false
            default: return true
            }
        }
    }
}
