/// Python 3.11 string operations that the reference tokenizer uses, on arrays of scalars
/// (Python strings are sequences of code points, not of grapheme clusters).
enum PythonStringSemantics {
    /// `str.isspace()` (also `\s` in the standard `re` module): Unicode White_Space plus the
    /// information separators U+001C…U+001F.
    static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        (0x1C...0x1F).contains(scalar.value) || RegexCharacterClasses.isWhitespace(scalar)
    }

    /// `\w` in the standard `re` module: alphanumeric (a letter, or a character with a numeric
    /// value) or the underscore.
    static func isWordCharacter(_ scalar: Unicode.Scalar) -> Bool {
        if scalar == "_" { return true }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            return true
        default:
            return scalar.properties.numericType != nil
        }
    }

    /// `\d` in the standard `re` module: general category Nd.
    static func isDecimalDigit(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.generalCategory == .decimalNumber
    }

    /// `str.strip()`.
    static func strip(_ scalars: [Unicode.Scalar]) -> [Unicode.Scalar] {
        guard let first = scalars.firstIndex(where: { !isSpace($0) }) else { return [] }
        let last = scalars.lastIndex(where: { !isSpace($0) })!
        return Array(scalars[first...last])
    }

    /// `str.lower()`: each scalar's full lowercase mapping (so "İ" becomes "i̇"), except that a
    /// capital sigma in word-final position becomes "ς", as CPython's Final_Sigma rule says.
    ///
    /// Python 3.11 uses Unicode 14; scalars assigned later are left alone as Python would
    /// leave them, so newer Swift case tables do not change the result.
    static func lowercased(_ scalars: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var result: [Unicode.Scalar] = []
        result.reserveCapacity(scalars.count)
        for (i, scalar) in scalars.enumerated() {
            if scalar.value < 0x80 {
                result.append((0x41...0x5A).contains(scalar.value) ? Unicode.Scalar(scalar.value + 0x20)! : scalar)
            } else if scalar == "\u{03A3}" {
                result.append(isFinalSigma(at: i, in: scalars) ? "\u{03C2}" : "\u{03C3}")
            } else if isKnownToPython(scalar) {
                result.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
            } else {
                result.append(scalar)
            }
        }
        return result
    }

    /// `str.upper()` of `scalars`: each scalar's full uppercase mapping ("ß" becomes "SS").
    static func uppercased(_ scalars: [Unicode.Scalar]) -> [Unicode.Scalar] {
        scalars.flatMap { isKnownToPython($0) ? Array($0.properties.uppercaseMapping.unicodeScalars) : [$0] }
    }

    /// Whether the scalar was assigned by Unicode 14.0, the version of Python 3.11's tables.
    private static func isKnownToPython(_ scalar: Unicode.Scalar) -> Bool {
        guard let age = scalar.properties.age else { return false }
        return age.major < 14 || (age.major == 14 && age.minor == 0)
    }

    /// CPython's Final_Sigma test: a cased letter before (skipping case-ignorable scalars) and
    /// no cased letter after (likewise).
    private static func isFinalSigma(at index: Int, in scalars: [Unicode.Scalar]) -> Bool {
        var j = index - 1
        while j >= 0, scalars[j].properties.isCaseIgnorable { j -= 1 }
        guard j >= 0, scalars[j].properties.isCased else { return false }
        var k = index + 1
        while k < scalars.count, scalars[k].properties.isCaseIgnorable { k += 1 }
        return k == scalars.count || !scalars[k].properties.isCased
    }
}
