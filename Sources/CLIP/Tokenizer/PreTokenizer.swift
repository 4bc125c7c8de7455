/// Splits cleaned text into the pieces that BPE encodes one at a time, like open_clip's
///
///     <start_of_text>|<end_of_text>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+
///
/// applied with `regex.findall` and IGNORECASE. A hand-written scanner: at each position the
/// alternatives are tried in that order and the first that matches is taken; positions where
/// none matches (whitespace) are skipped.
///
/// IGNORECASE details that `regex` shows and this scanner reproduces: the literal letters
/// also match their case variants (notably "ſ", U+017F, for "s", so "'ſ" is a contraction
/// piece), and U+0345 COMBINING GREEK YPOGEGRAMMENI, whose case variants are letters, is
/// excluded from the negated class, so no alternative matches it and it is dropped.
enum PreTokenizer {
    /// A piece of the text: a range of scalar offsets, and the special token id when the piece
    /// is exactly `<start_of_text>` or `<end_of_text>` (open_clip's cache holds only these
    /// exact spellings, so e.g. "<ſtart_of_text>" matches the alternative but is encoded as
    /// an ordinary word).
    struct Piece: Equatable {
        let range: Range<Int>
        let specialID: Int32?
    }

    private static let startOfText = Array("<start_of_text>".unicodeScalars)
    private static let endOfText = Array("<end_of_text>".unicodeScalars)
    private static let combiningYpogegrammeni: Unicode.Scalar = "\u{0345}"

    /// The pieces of `text`, in order.
    static func pieces(of text: [Unicode.Scalar]) -> [Piece] {
        var pieces: [Piece] = []
        var i = 0
        let n = text.count
        // Hot loop: one iteration per piece or skipped scalar; every branch advances `i`.
        while i < n {
            let scalar = text[i]
            if scalar == "<" {
                if let piece = special(startOfText, id: BPEVocabulary.startOfText, in: text, at: i)
                    ?? special(endOfText, id: BPEVocabulary.endOfText, in: text, at: i) {
                    pieces.append(piece)
                    i = piece.range.upperBound
                    continue
                }
            } else if scalar == "'", let length = contractionLength(in: text, at: i) {
                pieces.append(Piece(range: i..<(i + length), specialID: nil))
                i += length
                continue
            }
            if RegexCharacterClasses.isLetter(scalar) {
                var end = i + 1
                while end < n, RegexCharacterClasses.isLetter(text[end]) { end += 1 }
                pieces.append(Piece(range: i..<end, specialID: nil))
                i = end
            } else if RegexCharacterClasses.isNumber(scalar) {
                pieces.append(Piece(range: i..<(i + 1), specialID: nil))
                i += 1
            } else if isOther(scalar) {
                var end = i + 1
                while end < n, isOther(text[end]) { end += 1 }
                pieces.append(Piece(range: i..<end, specialID: nil))
                i = end
            } else {
                i += 1  // whitespace, or U+0345
            }
        }
        return pieces
    }

    /// `[^\s\p{L}\p{N}]` under IGNORECASE.
    private static func isOther(_ scalar: Unicode.Scalar) -> Bool {
        !RegexCharacterClasses.isWhitespace(scalar) && !RegexCharacterClasses.isLetter(scalar)
            && !RegexCharacterClasses.isNumber(scalar) && scalar != combiningYpogegrammeni
    }

    /// Case-insensitive comparison key for the ASCII letters of the literal alternatives:
    /// `regex` treats "ſ" as "s", the Kelvin sign as "k" and "İ" as "i".
    private static func folded(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        switch scalar.value {
        case 0x41...0x5A: return Unicode.Scalar(scalar.value + 0x20)!
        case 0x017F: return "s"
        case 0x212A: return "k"
        case 0x0130: return "i"
        default: return scalar
        }
    }

    private static func special(_ literal: [Unicode.Scalar], id: Int32, in text: [Unicode.Scalar], at i: Int) -> Piece? {
        guard i + literal.count <= text.count else { return nil }
        var exact = true
        for (k, expected) in literal.enumerated() {
            let actual = text[i + k]
            guard folded(actual) == expected else { return nil }
            if actual != expected { exact = false }
        }
        return Piece(range: i..<(i + literal.count), specialID: exact ? id : nil)
    }

    /// Length of the contraction piece starting with the apostrophe at `i`, if any:
    /// 's, 't, 're, 've, 'm, 'll or 'd, tried in that order.
    private static func contractionLength(in text: [Unicode.Scalar], at i: Int) -> Int? {
        guard i + 1 < text.count else { return nil }
        let first = folded(text[i + 1])
        let second: Unicode.Scalar? = i + 2 < text.count ? folded(text[i + 2]) : nil
        switch first {
        case "s", "t", "m", "d": return 2
        case "r" where second == "e", "v" where second == "e", "l" where second == "l": return 3
        default: return nil
        }
    }
}
