/// The largest vocabulary segd accepts from a user (files, inline text, `Vocabulary(classes:)`).
///
/// The limits bound the work a vocabulary causes before anything is encoded: every synonym is
/// encoded with 14 prompt templates, so the synonym total bounds the text encoder's work. They
/// are chosen so that each built-in vocabulary, written as a file, fits: LVIS has 1,203 classes
/// and 1,825 synonyms, Pascal VOC's background 74 synonyms, and the longest built-in synonym has
/// 45 bytes. Built-in vocabularies are embedded and not re-checked.
public enum VocabularyLimits {
    /// At most this many classes.
    public static let maxClasses = 2_048
    /// At most this many synonyms in one class.
    public static let maxSynonymsPerClass = 128
    /// At most this many synonyms over all classes.
    public static let maxSynonyms = 4_096
    /// At most this many UTF-8 bytes in one synonym (after trimming).
    public static let maxSynonymBytes = 256
    /// At most this many bytes in a vocabulary file or an inline vocabulary (1 MiB).
    public static let maxTextBytes = 1 << 20
}

extension VocabularyLimits {
    /// The error for the first class past `maxClasses`, at `location`.
    static func tooManyClasses(at location: VocabularyLocation) -> VocabularyError {
        VocabularyError(.tooManyClasses, at: location, "more than \(maxClasses) classes; a vocabulary may have at most \(maxClasses)")
    }

    /// The error for a class with `count` synonyms, more than `maxSynonymsPerClass`.
    static func tooManySynonyms(_ count: Int, at location: VocabularyLocation) -> VocabularyError {
        VocabularyError(.tooManySynonyms, at: location, "\(count) synonyms; a class may have at most \(maxSynonymsPerClass)")
    }
}
