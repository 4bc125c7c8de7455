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
        /// A vocabulary file that cannot be read or is not UTF-8 text.
        case unreadableFile
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
