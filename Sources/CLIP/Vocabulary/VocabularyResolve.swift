import Foundation

extension Vocabulary {
    /// The vocabulary a command-line `--vocab` argument names. The rule, applied to the argument
    /// with surrounding whitespace removed:
    ///
    /// 1. `@FILE` reads the vocabulary file FILE (a leading `~` is expanded).
    /// 2. Otherwise, an argument without `,` or `;` that equals a built-in name (any case; see
    ///    `builtinNames`) is that built-in vocabulary: `coco`, `ADE20K`.
    /// 3. A single word that looks like a misspelt built-in name (`builtinSuggestion(for:)`:
    ///    `ade150`, `cocoo`) is an error that suggests the name.
    /// 4. Anything else is an inline vocabulary (`parseInline`): `person, forklift` is one class
    ///    with two synonyms, `person; forklift` two classes, `forklift` one class. To get a single
    ///    class whose name is a built-in name, give it a prefix: `thing: coco`.
    public static func resolve(_ argument: String) throws -> Vocabulary {
        let text = argument.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.hasPrefix("@") {
            let path = String(text.dropFirst()).trimmingCharacters(in: .whitespaces)
            guard !path.isEmpty else {
                throw VocabularyError(.unreadableFile, at: nil, "\"@\" must be followed by a vocabulary file path, e.g. @classes.txt")
            }
            return try load(path: (path as NSString).expandingTildeInPath)
        }
        if !text.contains(","), !text.contains(";"), isBuiltinName(text) {
            return try builtin(text)
        }
        if let suggestion = builtinSuggestion(for: text) {
            throw VocabularyError(.unknownBuiltin, at: nil,
                "unknown built-in vocabulary \"\(text)\": did you mean `\(suggestion)`? (built-ins: \(builtinNames.joined(separator: ", "))). "
                + "For a vocabulary of one class with this name, write `thing: \(text)`")
        }
        return try parseInline(text)
    }
}
