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
    /// The classes of `items`, each paired with its location; blank and comment-only items are skipped.
    static func entries(_ items: [(text: Substring, location: VocabularyLocation)]) throws -> [VocabularyEntry] {
        try items.compactMap { try entry($0.text, at: $0.location) }
    }

    /// The class written in one line or item, or nil if it is blank or only a comment.
    static func entry(_ raw: Substring, at location: VocabularyLocation) throws -> VocabularyEntry? {
        let text = raw.prefix { $0 != "#" }.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.isEmpty { return nil }
        let (isThing, prefix, body) = try splitPrefix(text, at: location)
        guard !body.isEmpty else {
            throw VocabularyError(.missingName, at: location, "class without a name after \"\(prefix ?? "")\"")
        }
        let synonyms = body.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        if let blank = synonyms.firstIndex(where: \.isEmpty) {
            let position = blank == 0 ? "at the start" : blank == synonyms.count - 1 ? "at the end" : "between two commas"
            throw VocabularyError(
                .emptySynonym, at: location,
                "empty synonym \(position) of \"\(body)\" (synonyms are separated by single commas)")
        }
        return VocabularyEntry(synonyms: synonyms, isThing: isThing, location: location)
    }

    /// Splits an optional `thing:` / `stuff:` prefix (any case) off a non-empty line.
    ///
    /// A line whose text before the first `:` is a single word of letters other than `thing` or
    /// `stuff` is an error (a typo such as `things:` must not become a class name). A colon after
    /// anything else (`ratio 16:9`) is part of the name; so is any colon after a prefix.
    private static func splitPrefix(
        _ text: String, at location: VocabularyLocation
    ) throws -> (isThing: Bool, prefix: String?, body: String) {
        guard let colon = text.firstIndex(of: ":") else { return (true, nil, text) }
        let head = text[..<colon].trimmingCharacters(in: .whitespaces)
        let body = text[text.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
        switch head.lowercased() {
        case "thing": return (true, "\(head):", body)
        case "stuff": return (false, "\(head):", body)
        default:
            if !head.isEmpty, head.allSatisfy(\.isLetter) {
                throw VocabularyError(
                    .unknownPrefix, at: location,
                    "unknown prefix \"\(head):\" (a class may start with \"thing:\" or \"stuff:\"; "
                        + "write \"thing: \(text)\" if the colon belongs to the name)")
            }
            return (true, nil, text)
        }
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
        let body = text.hasPrefix("\u{FEFF}") ? Substring(text.dropFirst()) : Substring(text)
        let lines = body.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        let items = lines.enumerated().map { index, line in
            (text: line, location: VocabularyLocation(source: source, unit: .line, number: index + 1))
        }
        return try Vocabulary(
            validating: try VocabularyParser.entries(items),
            emptyMessage: "\(source): no classes (the file has only blank lines and comments)")
    }

    /// Reads and parses the vocabulary file at `path` (UTF-8 text); errors name `path`.
    public static func load(path: String) throws -> Vocabulary {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw VocabularyError(.unreadableFile, at: nil, "cannot read vocabulary file \"\(path)\": \(error.localizedDescription)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw VocabularyError(.unreadableFile, at: nil, "vocabulary file \"\(path)\" is not UTF-8 text")
        }
        return try parse(text: text, source: path)
    }

    /// Parses an inline vocabulary: the file format with `;` (or a newline) between classes,
    /// e.g. `thing: person, child; forklift; stuff: spilled liquid`. Errors name the class by its
    /// position among the `;`-separated items: `inline vocabulary, class 2: ...`.
    public static func parseInline(_ text: String) throws -> Vocabulary {
        let source = "inline vocabulary"
        let items = text.split(omittingEmptySubsequences: false) { $0 == ";" || $0.isNewline }
            .enumerated().map { index, item in
                (text: item, location: VocabularyLocation(source: source, unit: .item, number: index + 1))
            }
        return try Vocabulary(
            validating: try VocabularyParser.entries(items),
            emptyMessage: "\(source): no classes (expected e.g. \"person, child; forklift; stuff: puddle\")")
    }
}
