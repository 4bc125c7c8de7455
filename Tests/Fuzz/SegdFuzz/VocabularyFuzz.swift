import CLIP
import Foundation

/// The vocabulary parser on file bytes, as inline text and through `resolve` (not `@FILE`), with
/// the invariants every accepted vocabulary must keep.
enum VocabularyFuzz {
    static let target = FuzzTarget(name: "vocabulary", summary: "Vocabulary.parse(utf8:), parseInline, resolve") { input in
        let bytes = Array(input)
        let fromFile = try? Vocabulary.parse(utf8: bytes, source: "fuzz.txt")
        if let fromFile { check(fromFile) }
        if let text = String(validating: bytes, as: UTF8.self) {
            // The file path and the string path agree on valid UTF-8.
            precondition((try? Vocabulary.parse(text: text, source: "fuzz.txt")) == fromFile, "parse(text:) and parse(utf8:) disagree")
        }
        let text = String(decoding: bytes, as: UTF8.self)
        if let inline = try? Vocabulary.parseInline(text) { check(inline) }
        if !text.trimmingCharacters(in: .whitespacesAndNewlines).hasPrefix("@"), let resolved = try? Vocabulary.resolve(text) {
            if !Vocabulary.isBuiltinName(text) { check(resolved) }
        }
    }

    /// What the parser promises about every vocabulary it returns (README, "Vocabularies").
    static func check(_ vocabulary: Vocabulary) {
        precondition(!vocabulary.classes.isEmpty, "an empty vocabulary was accepted")
        precondition(vocabulary.classes.count <= VocabularyLimits.maxClasses, "too many classes")
        precondition(vocabulary.synonyms.count <= VocabularyLimits.maxSynonyms, "too many synonyms")
        var labels = Set<String>()
        for item in vocabulary.classes {
            precondition((1...VocabularyLimits.maxSynonymsPerClass).contains(item.synonyms.count), "synonym count out of range")
            for synonym in item.synonyms {
                precondition(!synonym.isEmpty && synonym.utf8.count <= VocabularyLimits.maxSynonymBytes, "synonym length out of range")
                precondition(synonym.trimmingCharacters(in: .whitespacesAndNewlines) == synonym, "untrimmed synonym")
                precondition(!synonym.unicodeScalars.contains { scalar in
                    scalar == "\u{FFFD}" || (scalar != "\t" && [.control, .lineSeparator, .paragraphSeparator].contains(scalar.properties.generalCategory))
                }, "a control character or U+FFFD in a synonym")
            }
            let key = item.name.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ")
            precondition(labels.insert(key).inserted, "two classes with the same label")
        }
    }
}
