/// Python's `html.unescape`, which the tokenizer applies twice after ftfy.
///
/// It replaces, left to right, each match of
///
///     &(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)
///
/// - numeric references: the Windows-1252 reading for 0x80…0x9F (HTML5's table), U+FFFD for
///   0, surrogates and values above U+10FFFF, "\r" for 13, nothing for the other control
///   characters and the noncharacters, else the character itself;
/// - named references: the name (with its ";" if present) if it is an HTML5 entity, else
///   the longest prefix of at least two characters that is an entity accepted without ";"
///   ("&ampxyz" → "&xyz"), else the text unchanged.
///
/// One deliberate difference: Python raises an exception on a decimal reference of more than
/// 4,300 digits (its integer-parsing limit); here it becomes U+FFFD like any too-large value.
enum HTMLUnescape {
    static func unescape(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        guard text.contains("&") else { return text }
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(text.count)
        var i = 0
        let n = text.count
        while i < n {
            guard text[i] == "&", i + 1 < n else {
                out.append(text[i])
                i += 1
                continue
            }
            if let (replacement, end) = reference(in: text, after: i) {
                out.append(contentsOf: replacement)
                i = end
            } else {
                out.append("&")
                i += 1
            }
        }
        return out
    }

    /// The replacement of the reference whose "&" is at `ampersand`, and where it ends.
    private static func reference(in text: [Unicode.Scalar], after ampersand: Int) -> ([Unicode.Scalar], Int)? {
        let n = text.count
        var i = ampersand + 1
        if text[i] == "#" {
            i += 1
            var hex = false
            if i < n, text[i] == "x" || text[i] == "X", i + 1 < n, hexValue(text[i + 1]) != nil {
                hex = true
                i += 1
            }
            let digitsStart = i
            var value: UInt32 = 0
            while i < n, let digit = hex ? hexValue(text[i]) : decimalValue(text[i]) {
                // Saturate: anything above U+10FFFF is replaced the same way.
                value = min(value * (hex ? 16 : 10) + digit, 0x11_0000)
                i += 1
            }
            guard i > digitsStart else { return nil }
            if i < n, text[i] == ";" { i += 1 }
            return (numericReplacement(value), i)
        }
        // Named: up to 32 characters other than \t \n \f space < & # ;, then an optional ";".
        var end = i
        while end < n, end - i < 32, !isNameTerminator(text[end]) { end += 1 }
        guard end > i else { return nil }
        if end < n, text[end] == ";" { end += 1 }
        let name = String(String.UnicodeScalarView(text[i..<end]))
        if let replacement = HTMLEntityTable.replacements[name] { return (replacement, end) }
        let nameScalars = Array(text[i..<end])
        var length = nameScalars.count - 1
        while length >= 2 {
            let prefix = String(String.UnicodeScalarView(nameScalars[0..<length]))
            if let replacement = HTMLEntityTable.replacements[prefix] {
                return (replacement + nameScalars[length...], end)
            }
            length -= 1
        }
        return (["&"] + nameScalars, end)
    }

    private static func isNameTerminator(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "\t", "\n", "\u{0C}", " ", "<", "&", "#", ";": return true
        default: return false
        }
    }

    private static func decimalValue(_ scalar: Unicode.Scalar) -> UInt32? {
        (0x30...0x39).contains(scalar.value) ? scalar.value - 0x30 : nil
    }

    private static func hexValue(_ scalar: Unicode.Scalar) -> UInt32? {
        switch scalar.value {
        case 0x30...0x39: return scalar.value - 0x30
        case 0x41...0x46: return scalar.value - 0x41 + 10
        case 0x61...0x66: return scalar.value - 0x61 + 10
        default: return nil
        }
    }

    /// What a numeric reference to `value` becomes.
    static func numericReplacement(_ value: UInt32) -> [Unicode.Scalar] {
        switch value {
        case 0x00: return ["\u{FFFD}"]
        case 0x0D: return ["\r"]
        case 0x80...0x9F: return [SingleByteEncoding.windows1252.character(for: UInt8(value))]
        case 0xD800...0xDFFF, 0x11_0000...: return ["\u{FFFD}"]
        case 0x01...0x08, 0x0B, 0x0E...0x1F, 0x7F, 0xFDD0...0xFDEF: return []
        case _ where value & 0xFFFE == 0xFFFE: return []  // U+xFFFE and U+xFFFF of every plane
        default: return [Unicode.Scalar(value)!]
        }
    }
}
