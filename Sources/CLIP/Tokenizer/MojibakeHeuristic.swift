/// ftfy 6.1.3's `is_bad`: whether text contains a character sequence that is far more likely
/// to be mojibake than intended (an accented capital right after a lower-case accented letter,
/// a box-drawing character next to a currency sign, "Ã©", …).
///
/// ftfy writes this as one regular expression of about 35 alternatives; here each alternative
/// is a short list of character tests (all of fixed length apart from one optional
/// whitespace), tried at every position. Only the existence of a match matters.
enum MojibakeHeuristic {
    /// Whether `text` looks like it contains mojibake.
    static func isBad(_ text: [Unicode.Scalar]) -> Bool {
        // Every alternative needs at least one non-ASCII character from the tables.
        guard text.contains(where: { $0.value >= 0x80 && MojibakeClass.of($0) != [] }) else { return false }
        let classes = text.map(MojibakeClass.of)
        // Hot loop: positions × alternatives; each test fails on its first element for almost
        // every position, so this is linear in practice.
        for start in text.indices {
            for pattern in patterns where matches(pattern[...], text, classes, at: start) { return true }
        }
        return false
    }

    /// One character test of an alternative.
    struct Test: Sendable {
        var classes: MojibakeClass = []
        var scalars: Set<UInt32> = []
        var predicate: Predicate = .none
        var optional = false

        enum Predicate: Sendable {
            case none, asciiLetter, asciiLowercase, whitespace, wordCharacter, notASCIILetter, notNewline, startOfText
        }

        /// Whether the test accepts `scalar`, whose classes are `scalarClasses`.
        func accepts(_ scalar: Unicode.Scalar, _ scalarClasses: MojibakeClass) -> Bool {
            if !scalarClasses.isDisjoint(with: classes) { return true }
            if scalars.contains(scalar.value) { return true }
            switch predicate {
            case .none, .startOfText: return false
            case .asciiLetter: return (0x41...0x5A).contains(scalar.value) || (0x61...0x7A).contains(scalar.value)
            case .asciiLowercase: return (0x61...0x7A).contains(scalar.value)
            case .whitespace: return PythonStringSemantics.isSpace(scalar)
            case .wordCharacter: return PythonStringSemantics.isWordCharacter(scalar)
            case .notASCIILetter: return !((0x41...0x5A).contains(scalar.value) || (0x61...0x7A).contains(scalar.value))
            case .notNewline: return scalar != "\n"
            }
        }
    }

    private static func matches(_ pattern: ArraySlice<Test>, _ text: [Unicode.Scalar], _ classes: [MojibakeClass],
                                at start: Int) -> Bool {
        var position = start
        for index in pattern.indices {
            let test = pattern[index]
            if test.predicate == .startOfText {
                guard position == 0 else { return false }
                continue
            }
            if test.optional {
                // Try with the optional character, then without it.
                if position < text.count, test.accepts(text[position], classes[position]),
                   matches(pattern[(index + 1)...], text, classes, at: position + 1) { return true }
                continue
            }
            guard position < text.count, test.accepts(text[position], classes[position]) else { return false }
            position += 1
        }
        return true
    }

    // MARK: - The alternatives

    private static func c(_ classes: MojibakeClass, _ extra: String = "") -> Test {
        Test(classes: classes, scalars: Set(extra.unicodeScalars.map(\.value)))
    }
    private static func lit(_ characters: String) -> Test { Test(scalars: Set(characters.unicodeScalars.map(\.value))) }
    private static func p(_ predicate: Test.Predicate, _ extra: String = "", optional: Bool = false) -> Test {
        Test(scalars: Set(extra.unicodeScalars.map(\.value)), predicate: predicate, optional: optional)
    }

    private static let patterns: [[Test]] = {
        let accentedEtc: MojibakeClass = [.bad, .lowerAccented, .upperAccented, .box, .startPunctuation, .endPunctuation, .currency, .numeric]
        let arabicFollower = c([.common, .currency, .bad, .numeric, .startPunctuation], "\u{178}\u{160}\u{AE}\u{B0}\u{B5}\u{BB}")
        return [
            [c(.c1)],
            [c(accentedEtc), c(.bad)],
            [p(.asciiLetter), c([.lowerCommon, .upperCommon]), c(.bad)],
            [c(.bad), c([.lowerAccented, .upperAccented, .box, .startPunctuation, .endPunctuation, .currency, .numeric])],
            [c([.lowerAccented, .lowerCommon, .box, .endPunctuation, .currency, .numeric]), c(.upperAccented)],
            [c([.box, .endPunctuation, .currency, .numeric]), c(.lowerAccented)],
            [c([.lowerAccented, .box, .endPunctuation]), c(.currency)],
            [p(.whitespace), c(.upperAccented), c(.currency)],
            [c([.upperAccented, .box]), c(.numeric)],
            [c([.lowerAccented, .upperAccented, .box, .currency, .endPunctuation]), c(.startPunctuation), c(.numeric)],
            [c([.lowerAccented, .upperAccented, .currency, .numeric, .box]), c(.endPunctuation), c(.startPunctuation)],
            [c([.currency, .numeric, .box]), c(.startPunctuation)],
            [p(.asciiLowercase), c(.upperAccented), c([.startPunctuation, .currency])],
            [c(.box), c(.kaomoji)],
            [c([.lowerAccented, .upperAccented, .currency, .numeric, .startPunctuation, .endPunctuation]), c(.box)],
            [c(.box), c(.endPunctuation)],
            [c([.lowerAccented, .upperAccented]), c(.endPunctuation), p(.wordCharacter)],
            // The ligature œ when not followed by an unaccented Latin letter.
            [lit("\u{152}\u{153}"), p(.notASCIILetter)],
            // Common two-character Windows-1252 mojibake not covered above.
            [lit("\u{C2}\u{C3}\u{CE}\u{D0}"),
             c([.startPunctuation, .endPunctuation], "\u{20AC}\u{160}\u{161}\u{A2}\u{A3}\u{178}\u{17E}\u{A0}\u{AD}\u{AE}\u{A9}\u{B0}\u{B7}\u{BB}\u{2013}\u{2014}\u{B4}")],
            [lit("\u{D7}"), lit("\u{B2}\u{B3}")],
            // Windows-1252 mojibake of Arabic: four characters.
            [lit("\u{D8}\u{D9}"), arabicFollower, lit("\u{D8}\u{D9}"), arabicFollower],
            // Windows-1252 starts of three-byte South Asian letters.
            [lit("\u{E0}"), lit("\u{B2}\u{B5}\u{B9}\u{BC}\u{BD}\u{BE}")],
            // MacRoman mojibake.
            [lit("\u{221A}"), lit("\u{B1}\u{2202}\u{2020}\u{2260}\u{AE}\u{2122}\u{B4}\u{2264}\u{2265}\u{A5}\u{B5}\u{F8}")],
            [lit("\u{2248}"), lit("\u{B0}\u{A2}")],
            [lit("\u{201A}"), lit("\u{C4}"), lit("\u{EC}\u{EE}\u{EF}\u{F2}\u{F4}\u{FA}\u{F9}\u{FB}\u{2020}\u{B0}\u{A2}\u{3C0}")],
            [lit("\u{201A}"), lit("\u{E2}\u{F3}"), lit("\u{E0}\u{E4}\u{B0}\u{EA}")],
            // Windows-1251 mojibake of U+2000…U+206F, and of Latin-1/Cyrillic (three characters).
            [lit("\u{432}"), lit("\u{402}")],
            [lit("\u{412}\u{413}\u{420}\u{421}"),
             c([.c1, .bad, .startPunctuation, .endPunctuation, .currency], "\u{B0}\u{B5}"),
             lit("\u{412}\u{413}\u{420}\u{421}")],
            // Windows-1251 on top of Latin-1 mojibake of Windows-1252 characters, near a Latin letter.
            [lit("\u{413}"), lit("\u{45E}"), lit("\u{412}"), lit("\u{402}"), lit("\u{412}"), p(.notNewline), p(.asciiLetter, " ")],
            // Windows-1252 encodings of "à", "á" and NBSP.
            [lit("\u{C3}"), lit("\u{A0}\u{A1}")],
            [p(.asciiLowercase), p(.whitespace, optional: true), lit("\u{C3}\u{C2}"), lit(" ")],
            [p(.startOfText), lit("\u{C3}\u{C2}"), lit(" ")],
            // "Â" standing before the character it came with.
            [c(.endPunctuation, ".,?!").with(.asciiLowercase), lit("\u{C2}"), c([.startPunctuation, .endPunctuation], " ")],
            // Windows-1253 mojibake of U+2000…U+206F, and of Latin-1/Greek (three characters).
            [lit("\u{3B2}"), lit("\u{20AC}"), lit("\u{2122}\u{A0}\u{386}\u{AD}\u{AE}\u{B0}")],
            [lit("\u{392}\u{393}\u{39E}\u{39F}"),
             c([.c1, .bad, .startPunctuation, .endPunctuation, .currency], "\u{B0}"),
             lit("\u{392}\u{393}\u{39E}\u{39F}")],
        ]
    }()
}

private extension MojibakeHeuristic.Test {
    /// This test, also accepting what `predicate` accepts.
    func with(_ predicate: Predicate) -> Self {
        var copy = self
        copy.predicate = predicate
        return copy
    }
}
