import Foundation

/// A class as written by the user, before validation, with where it was written.
struct VocabularyEntry: Sendable {
    var synonyms: [String]
    var isThing: Bool
    var location: VocabularyLocation
}

extension Vocabulary {
    /// Validates user classes and computes their seen flags.
    ///
    /// Rejects an empty list (`emptyMessage`), a class without synonyms, an empty or
    /// all-whitespace synonym, and two classes with the same display label. Labels are compared
    /// after lowercasing and collapsing whitespace runs, because the CLIP tokenizer does the same:
    /// "Car" and "car" would produce identical embeddings and two indistinguishable classes.
    init(validating entries: [VocabularyEntry], emptyMessage: String) throws {
        guard !entries.isEmpty else { throw VocabularyError(.empty, at: nil, emptyMessage) }
        var firstByKey: [String: VocabularyEntry] = [:]
        var classes: [VocabularyClass] = []
        classes.reserveCapacity(entries.count)
        for entry in entries {
            guard let name = entry.synonyms.first else {
                throw VocabularyError(.missingName, at: entry.location, "class without a name")
            }
            if let blank = entry.synonyms.firstIndex(where: { $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }) {
                throw VocabularyError(
                    .emptySynonym, at: entry.location,
                    "synonym \(blank + 1) of \(entry.synonyms.count) is empty")
            }
            let key = Vocabulary.duplicateKey(name)
            if let first = firstByKey[key] {
                let firstName = first.synonyms[0]
                let same = firstName == name ? "" : " (\"\(firstName)\"; class names are compared ignoring case and repeated spaces, as the tokenizer lowercases them)"
                throw VocabularyError(
                    .duplicateName, at: entry.location,
                    "duplicate class name \"\(name)\": \(first.location.short) already defines it\(same)")
            }
            firstByKey[key] = entry
            classes.append(VocabularyClass(
                synonyms: entry.synonyms, isThing: entry.isThing,
                seenInCOCO: BuiltinVocabularies.isSeenInCOCO(entry.synonyms)))
        }
        self.init(trusted: classes)
    }

    /// The form of a display label under which two labels count as the same class.
    static func duplicateKey(_ name: String) -> String {
        name.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
}
