/// One line of a vocabulary file, or one `;`-separated item of an inline vocabulary.
struct VocabularyItem {
    /// The item's text, without its separator.
    let text: Substring
    /// Where it is: `vocab.txt:3` or `inline vocabulary, class 2`.
    let location: VocabularyLocation
}

/// Splits a vocabulary text into its lines (or inline items) one at a time, checking every
/// character on the way, so that parsing stops at the first problem in the text without looking
/// at the rest.
///
/// Lines end at `\n`, `\r\n` or `\r`; inline items also at `;`. A leading byte-order mark is
/// skipped. A control character other than tab (line breaks aside), a Unicode line or paragraph
/// separator, or U+FFFD (what invalid UTF-8 becomes when bytes are read as a string) is an error
/// that gives the location and the byte offset in the text. Works on Unicode scalars, not
/// Characters, so a separator followed by a combining mark still separates.
struct VocabularyItemReader {
    private let scalars: String.UnicodeScalarView
    private let source: String
    private let unit: VocabularyLocation.Unit
    private let semicolons: Bool
    private var index: String.UnicodeScalarView.Index
    /// The byte offset of `index` in the text.
    private var offset: Int
    /// Items returned so far.
    private var count = 0
    private var finished = false

    init(_ text: String, source: String, unit: VocabularyLocation.Unit, semicolons: Bool) {
        scalars = text.unicodeScalars
        self.source = source
        self.unit = unit
        self.semicolons = semicolons
        index = scalars.startIndex
        offset = 0
        if scalars.first == "\u{FEFF}" {
            index = scalars.index(after: index)
            offset = 3
        }
    }

    /// The next line or item, or nil after the last one.
    mutating func next() throws -> VocabularyItem? {
        guard !finished else { return nil }
        let location = VocabularyLocation(source: source, unit: unit, number: count + 1)
        let start = index
        while index < scalars.endIndex {
            let scalar = scalars[index]
            if scalar == "\n" || scalar == "\r" || (semicolons && scalar == ";") {
                let end = index
                advance()
                if scalar == "\r", index < scalars.endIndex, scalars[index] == "\n" { advance() }
                count += 1
                return VocabularyItem(text: Substring(scalars[start..<end]), location: location)
            }
            if let problem = VocabularyText.rejection(of: scalar) {
                throw VocabularyError(
                    problem.kind, at: location, "\(problem.what) at byte offset \(offset); \(problem.advice)")
            }
            advance()
        }
        finished = true
        count += 1
        return VocabularyItem(text: Substring(scalars[start..<index]), location: location)
    }

    private mutating func advance() {
        offset += UTF8.width(scalars[index])
        index = scalars.index(after: index)
    }
}
