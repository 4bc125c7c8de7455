import Foundation

/// The vocabulary-file format, one class per line (or per `;`-separated item inline):
///
///     # comment (from `#` to the end of the line)
///     thing: person, child, girl, boy
///     forklift                          (no prefix: a thing)
///     STUFF: spilled liquid, puddle     (prefixes are case-insensitive)
///
/// Each synonym is trimmed of surrounding whitespace; the first is the display label.
enum VocabularyParser {
    /// The classes of the text `reader` splits; blank and comment-only items are skipped.
    /// Stops at the first problem: with `.tooManyClasses` at the first class past
    /// `VocabularyLimits.maxClasses`, before the rest of the text is read.
    static func entries(_ reader: VocabularyItemReader) throws -> [VocabularyEntry] {
        var reader = reader
        var entries: [VocabularyEntry] = []
        while let item = try reader.next() {
            guard let entry = try entry(item.text, at: item.location) else { continue }
            guard entries.count < VocabularyLimits.maxClasses else {
                throw VocabularyLimits.tooManyClasses(at: item.location)
            }
            entries.append(entry)
        }
        return entries
    }

    /// The class written in one line or item, or nil if it is blank or only a comment.
    ///
    /// `#`, `,` and `:` are found as Unicode scalars, so a combining mark after one of them does
    /// not hide it. A class with more synonyms than `VocabularyLimits.maxSynonymsPerClass` is
    /// refused before its synonyms are split.
    static func entry(_ raw: Substring, at location: VocabularyLocation) throws -> VocabularyEntry? {
        let text = VocabularyText.trimmed(raw.unicodeScalars.prefix { $0 != "#" })
        if text.isEmpty { return nil }
        let (isThing, prefix, body) = try splitPrefix(text, at: location)
        guard !body.isEmpty else {
            throw VocabularyError(.missingName, at: location, "class without a name after \"\(prefix ?? "")\"")
        }
        let count = body.reduce(1) { $1 == "," ? $0 + 1 : $0 }
        guard count <= VocabularyLimits.maxSynonymsPerClass else {
            throw VocabularyLimits.tooManySynonyms(count, at: location)
        }
        let synonyms = body.split(separator: ",", omittingEmptySubsequences: false)
            .map { String(Substring(VocabularyText.trimmed($0))) }
        if let blank = synonyms.firstIndex(where: \.isEmpty) {
            let position = blank == 0 ? "at the start" : blank == synonyms.count - 1 ? "at the end" : "between two commas"
            throw VocabularyError(
                .emptySynonym, at: location,
                "empty synonym \(position) of \(VocabularyText.quoted(Substring(body))) (synonyms are separated by single commas)")
        }
        return VocabularyEntry(synonyms: synonyms, isThing: isThing, location: location)
    }

    /// Splits an optional `thing:` / `stuff:` prefix (any case) off a non-empty line.
    ///
    /// A line whose text before the first `:` is a single word of letters other than `thing` or
    /// `stuff` is an error (a typo such as `things:` must not become a class name). A colon after
    /// anything else (`ratio 16:9`) is part of the name; so is any colon after a prefix.
    private static func splitPrefix(
        _ text: Substring.UnicodeScalarView, at location: VocabularyLocation
    ) throws -> (isThing: Bool, prefix: String?, body: Substring.UnicodeScalarView) {
        guard let colon = text.firstIndex(of: ":") else { return (true, nil, text) }
        let head = Substring(VocabularyText.trimmed(text[..<colon]))
        let body = VocabularyText.trimmed(text[text.index(after: colon)...])
        if head.utf8.count == 5 {
            switch head.lowercased() {
            case "thing": return (true, "\(head):", body)
            case "stuff": return (false, "\(head):", body)
            default: break
            }
        }
        if !head.isEmpty, head.allSatisfy(\.isLetter) {
            throw VocabularyError(
                .unknownPrefix, at: location,
                "unknown prefix \"\(VocabularyText.clipped(head)):\" (a class may start with \"thing:\" or \"stuff:\"; "
                    + "write \"thing: \(VocabularyText.clipped(Substring(text)))\" if the colon belongs to the name)")
        }
        return (true, nil, text)
    }
}

extension Vocabulary {
    /// Parses a vocabulary file's text (see the README, "Vocabulary file").
    ///
    /// One class per line; synonyms separated by commas and trimmed, the first being the display
    /// label; an optional `thing:` or `stuff:` prefix, in any case (default: thing); `#` starts a
    /// comment; blank lines are skipped. `source` (usually the file name) starts every error
    /// message, followed by the line number: `vocab.txt:3: duplicate class name "car": line 1
    /// already defines it`.
    public static func parse(text: String, source: String) throws -> Vocabulary {
        try VocabularyText.checkSize(text.utf8.count, of: source)
        let reader = VocabularyItemReader(text, source: source, unit: .line, semicolons: false)
        return try Vocabulary(
            validating: try VocabularyParser.entries(reader),
            emptyMessage: "\(source): no classes (the file has only blank lines and comments)")
    }

    /// Parses a vocabulary file's bytes, which must be UTF-8 text (see `parse(text:source:)`).
    /// Bytes that are not UTF-8 are an error naming the line and the byte offset.
    public static func parse(utf8 bytes: some Collection<UInt8>, source: String) throws -> Vocabulary {
        try VocabularyText.checkSize(bytes.count, of: source)
        return try parse(text: try VocabularyText.decodeUTF8(bytes, source: source), source: source)
    }

    /// Reads and parses the vocabulary file at `path` (UTF-8 text); errors name `path`.
    ///
    /// Only a regular file is read (a directory, FIFO or device is an error, never a wait), and a
    /// file larger than `VocabularyLimits.maxTextBytes` (1 MiB) is refused before it is read.
    public static func load(path: String) throws -> Vocabulary {
        try parse(utf8: try VocabularyFileReader.contents(of: path), source: path)
    }

    /// Parses an inline vocabulary: the file format with `;` (or a newline) between classes,
    /// e.g. `thing: person, child; forklift; stuff: spilled liquid`. Errors name the class by its
    /// position among the `;`-separated items: `inline vocabulary, class 2: ...`.
    ///
    /// The character rules are the file's: at most 1 MiB, no control characters, and no U+FFFD,
    /// which is what bytes that are not UTF-8 have become in a string read from the command line,
    /// the configuration or the control socket.
    public static func parseInline(_ text: String) throws -> Vocabulary {
        let source = "inline vocabulary"
        try VocabularyText.checkSize(text.utf8.count, of: "the \(source)")
        let reader = VocabularyItemReader(text, source: source, unit: .item, semicolons: true)
        return try Vocabulary(
            validating: try VocabularyParser.entries(reader),
            emptyMessage: "\(source): no classes (expected e.g. \"person, child; forklift; stuff: puddle\")")
    }
}
