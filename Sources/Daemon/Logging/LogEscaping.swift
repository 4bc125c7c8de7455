/// Makes text safe to put in one log line: whatever a client, a stream URL or a file sent can
/// neither start a new line (forging a log entry), nor move the cursor or recolour a terminal
/// (ANSI escapes), nor reorder what a reader sees (bidirectional overrides).
///
/// Escaped, as Swift string escapes:
/// - `\` itself as `\\`, so an escaped line can be read back unambiguously;
/// - line feed, carriage return and tab as `\n`, `\r`, `\t`;
/// - every other C0 control (U+0000–U+001F, ESC among them), DEL (U+007F) and every C1 control
///   (U+0080–U+009F) as `\u{XX}`;
/// - the Unicode line and paragraph separators (U+2028, U+2029), which some log viewers break
///   lines on, and the bidirectional embedding, override and isolate controls (U+202A–U+202E,
///   U+2066–U+2069) as `\u{XXXX}`.
/// Everything else, including non-ASCII letters, passes unchanged.
public enum LogEscaping {
    /// `text` with every character above escaped.
    public static func escape(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            guard needsEscape(scalar) else {
                out.append(scalar)
                continue
            }
            let escaped: String
            switch scalar {
            case "\\": escaped = "\\\\"
            case "\n": escaped = "\\n"
            case "\r": escaped = "\\r"
            case "\t": escaped = "\\t"
            default: escaped = "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            }
            out.append(contentsOf: escaped.unicodeScalars)
        }
        return String(out)
    }

    /// `text` escaped and in double quotes (a `"` inside becomes `\"`): for values a client chose,
    /// so that the reader sees where they start and end.
    public static func quote(_ text: String) -> String {
        "\"" + escape(text).replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x5C, 0x00...0x1F, 0x7F...0x9F, 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069: return true
        default: return false
        }
    }
}
