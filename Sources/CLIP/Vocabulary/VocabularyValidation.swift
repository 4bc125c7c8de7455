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
    /// all-whitespace synonym, a control character or U+FFFD in a synonym, more classes or
    /// synonyms or a longer synonym than `VocabularyLimits` allows, and two classes with the
    /// same display label. Labels are compared after lowercasing and collapsing whitespace runs,
    /// because the CLIP tokenizer does the same: "Car" and "car" would produce identical
    /// embeddings and two indistinguishable classes.
    init(validating entries: [VocabularyEntry], emptyMessage: String) throws {
        guard !entries.isEmpty else { throw VocabularyError(.empty, at: nil, emptyMessage) }
        if entries.count > VocabularyLimits.maxClasses {
            throw VocabularyLimits.tooManyClasses(at: entries[VocabularyLimits.maxClasses].location)
        }
        var synonymTotal = 0
        var firstByKey: [String: VocabularyEntry] = [:]
        var classes: [VocabularyClass] = []
        classes.reserveCapacity(entries.count)
        for entry in entries {
            guard let name = entry.synonyms.first else {
                throw VocabularyError(.missingName, at: entry.location, "class without a name")
            }
            if let blank = entry.synonyms.firstIndex(where: VocabularyText.isBlank) {
                throw VocabularyError(
                    .emptySynonym, at: entry.location,
                    "synonym \(blank + 1) of \(entry.synonyms.count) is empty")
            }
            try Vocabulary.checkLimits(entry, total: &synonymTotal)
            let key = Vocabulary.duplicateKey(name)
            if let first = firstByKey[key] {
                let firstName = first.synonyms[0]
                let same = firstName == name ? "" : " (\(VocabularyText.quoted(firstName)); class names are compared ignoring case and repeated spaces, as the tokenizer lowercases them)"
                throw VocabularyError(
                    .duplicateName, at: entry.location,
                    "duplicate class name \(VocabularyText.quoted(name)): \(first.location.short) already defines it\(same)")
            }
            firstByKey[key] = entry
            classes.append(VocabularyClass(
                synonyms: entry.synonyms, isThing: entry.isThing,
                seenInCOCO: BuiltinVocabularies.isSeenInCOCO(entry.synonyms)))
        }
        self.init(trusted: classes)
    }

    /// Checks one class against `VocabularyLimits` and its synonyms' characters, adding its
    /// synonyms to `total`.
    private static func checkLimits(_ entry: VocabularyEntry, total: inout Int) throws {
        let count = entry.synonyms.count
        guard count <= VocabularyLimits.maxSynonymsPerClass else {
            throw VocabularyLimits.tooManySynonyms(count, at: entry.location)
        }
        total += count
        guard total <= VocabularyLimits.maxSynonyms else {
            throw VocabularyError(
                .tooManySynonyms, at: entry.location,
                "more than \(VocabularyLimits.maxSynonyms) synonyms in all; a vocabulary may have at most \(VocabularyLimits.maxSynonyms)")
        }
        for (index, synonym) in entry.synonyms.enumerated() {
            let bytes = synonym.utf8.count
            if bytes > VocabularyLimits.maxSynonymBytes {
                throw VocabularyError(
                    .synonymTooLong, at: entry.location,
                    "synonym \(index + 1) of \(count) (\(VocabularyText.quoted(synonym, limit: 40))) has \(bytes) bytes; "
                        + "a synonym may have at most \(VocabularyLimits.maxSynonymBytes) (the text encoder reads only 77 tokens)")
            }
            try VocabularyText.checkSynonym(synonym, number: index + 1, of: count, at: entry.location)
        }
    }

    /// The form of a display label under which two labels count as the same class.
    static func duplicateKey(_ name: String) -> String {
        name.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
}
