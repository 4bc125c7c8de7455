import Foundation

/// `ftfy.fix_text` with ftfy 6.1.3's default settings, the first step of open_clip's cleaning.
///
/// Implemented, in ftfy's order, each segment (line) repeated until it stops changing:
/// - `unescape_html` ("auto": off from the first line containing "<" onwards),
/// - `fix_encoding` (mojibake from UTF-8 read as Latin-1, Windows-1250/1251/1252/1253/1254,
///   ISO-8859-2, MacRoman or CP437, with `restore_byte_a0`, `replace_lossy_sequences`,
///   `decode_inconsistent_utf8` and the "utf-8-variants" decoder),
/// - `fix_c1_controls`, `fix_latin_ligatures`, `fix_character_width`, `uncurl_quotes`,
///   `fix_line_breaks`, `remove_terminal_escapes`, `remove_control_chars`,
/// - NFC normalisation.
///
/// Not applicable or not implemented:
/// - `fix_surrogates` has nothing to do: a Swift string cannot hold UTF-16 surrogates.
/// - Character tables come from this Swift runtime rather than Python 3.11's Unicode 14
///   (NFC/NFKC of characters assigned after Unicode 14 may differ).
/// - The CESU-8 decoder does not reproduce a quirk of ftfy's regular expression that lets a
///   truncated surrogate pair swallow a final newline.
enum TextFixer {
    /// ftfy splits text into segments this long when a line is longer.
    static let maxSegmentLength = 1_000_000

    static func fixText(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(text.count)
        var unescapeHTML = true
        var start = 0
        while start < text.count {
            var end = text[start...].firstIndex(of: "\n").map { $0 + 1 } ?? text.count
            end = min(end, start + maxSegmentLength)
            let segment = Array(text[start..<end])
            // "auto": a literal "<" suggests real HTML, where entities should stay; ftfy keeps
            // this decision for the rest of the text.
            if unescapeHTML, segment.contains("<") { unescapeHTML = false }
            out.append(contentsOf: fixSegment(segment, unescapeHTML: unescapeHTML))
            start = end
        }
        return out
    }

    /// ftfy's `fix_and_explain` on one segment.
    private static func fixSegment(_ segment: [Unicode.Scalar], unescapeHTML: Bool) -> [Unicode.Scalar] {
        var text = segment
        while true {
            let original = text
            if unescapeHTML { text = CharacterFixes.unescapeHTML(text) }
            text = MojibakeRepair.fixEncoding(text)
            text = CharacterFixes.fixC1Controls(text)
            text = CharacterFixes.fixLatinLigatures(text)
            text = CharacterFixes.fixCharacterWidth(text)
            text = CharacterFixes.uncurlQuotes(text)
            text = CharacterFixes.fixLineBreaks(text)
            text = CharacterFixes.removeTerminalEscapes(text)
            text = CharacterFixes.removeControlCharacters(text)
            text = nfc(text)
            if text == original { return text }
        }
    }

    /// Unicode canonical composition (NFC).
    static func nfc(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        // ASCII is always in NFC; most prompts take this path.
        guard text.contains(where: { $0.value >= 0x300 }) else { return text }
        return Array(String(String.UnicodeScalarView(text)).precomposedStringWithCanonicalMapping.unicodeScalars)
    }
}
