/// Why a vocabulary could not be built: the problem, where it is (file and line, or class
/// position) and, for duplicates, where the first definition is.
public struct VocabularyError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The kind of problem, for callers that react differently to each.
    public enum Kind: Sendable, Equatable {
        /// No classes at all (an empty file, or only blank lines and comments).
        case empty
        /// A class with no synonym at all (e.g. a line that is only `thing:`).
        case missingName
        /// An empty synonym: two commas in a row, or a comma at the start or end.
        case emptySynonym
        /// Two classes with the same display label (compared ignoring case and repeated spaces).
        case duplicateName
        /// A line starting with a word and `:` that is neither `thing:` nor `stuff:`.
        case unknownPrefix
        /// `Vocabulary.builtin` was given a name that is not a built-in vocabulary.
        case unknownBuiltin
        /// A vocabulary file that cannot be read: missing, not permitted, or not a regular file
        /// (a directory, a FIFO, a device).
        case unreadableFile
        /// Bytes that are not UTF-8: the message gives the line (or class) and the byte offset.
        /// Text that arrives as a string (inline, from the command line, the control socket or
        /// the configuration) has had such bytes replaced by U+FFFD, so U+FFFD is rejected too.
        case invalidUTF8
        /// A control character (NUL, escape, a line break other than `\n`, `\r\n` or `\r`
        /// between lines, ...) where a class is written; only tab is allowed, as a space.
        case controlCharacter
        /// A file or inline vocabulary larger than `VocabularyLimits.maxTextBytes` (1 MiB).
        case tooLarge
        /// More classes than `VocabularyLimits.maxClasses` (2,048).
        case tooManyClasses
        /// More synonyms in a class than `VocabularyLimits.maxSynonymsPerClass` (128), or in all
        /// than `VocabularyLimits.maxSynonyms` (4,096).
        case tooManySynonyms
        /// A synonym longer than `VocabularyLimits.maxSynonymBytes` (256 UTF-8 bytes).
        case synonymTooLong
    }

    /// The kind of problem.
    public let kind: Kind
    /// The full, human-readable message, starting with the location when there is one.
    public let description: String

    init(_ kind: Kind, at location: VocabularyLocation?, _ message: String) {
        self.kind = kind
        if let location {
            self.description = "\(location): \(message)"
        } else {
            self.description = message
        }
    }
}
