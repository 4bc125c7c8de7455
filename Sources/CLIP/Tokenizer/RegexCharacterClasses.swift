/// The character classes of open_clip's tokenizer regexes, as the Python `regex` module
/// (2026.11.15, the version the fixtures record) evaluates them: `\p{L}`, `\p{N}` and `\s`.
enum RegexCharacterClasses {
    /// `\p{L}`: general category Lu, Ll, Lt, Lm or Lo.
    static func isLetter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            return true
        case .unassigned:
            return newerLetters.contains { $0.contains(scalar.value) }
        default:
            return false
        }
    }

    /// `\p{N}`: general category Nd, Nl or No.
    static func isNumber(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .decimalNumber, .letterNumber, .otherNumber:
            return true
        case .unassigned:
            return newerNumbers.contains { $0.contains(scalar.value) }
        default:
            return false
        }
    }

    /// `\s` in `regex`: the Unicode White_Space property. Unlike Python's `str.isspace`, it
    /// does not include the separators U+001C…U+001F.
    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09...0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            return true
        default:
            return false
        }
    }

    /// Letters that `regex` already knows (it carries Unicode 17 tables) but this Swift runtime
    /// reports as unassigned. Consulted only for scalars Swift calls unassigned, so a newer
    /// runtime that knows them gives the same answer.
    private static let newerLetters: [ClosedRange<UInt32>] = [
        0x0558...0x0558, 0x058B...0x058C, 0x208F...0x208F, 0x209D...0x209F, 0xA7DD...0xA7DD,
        0xA7E2...0xA7E2, 0xAB6C...0xAB6D, 0x107BB...0x107BF, 0x10ED9...0x10EEE, 0x11B0A...0x11B0A,
        0x11DF1...0x11DF1, 0x18CD6...0x18CDA, 0x18D1F...0x18D20, 0x18E00...0x19191, 0x191A0...0x191D2,
        0x1B123...0x1B128, 0x1B168...0x1B168, 0x1D6A6...0x1D6A6, 0x1DF1F...0x1DF24, 0x1DF2B...0x1DF81,
        0x1DF90...0x1DF96, 0x1DFCD...0x1DFFF, 0x2B81E...0x2B81E, 0x3D000...0x3FC3F,
    ]

    /// Numbers, likewise.
    private static let newerNumbers: [ClosedRange<UInt32>] = [
        0x1246F...0x1246F, 0x12475...0x1247F, 0x12550...0x12686,
    ]
}
