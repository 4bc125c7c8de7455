/// Where a class was written: a line of a file, a `;`-separated item of an inline vocabulary,
/// or a position in the array given to `Vocabulary.init(classes:)`.
struct VocabularyLocation: Sendable, Equatable, CustomStringConvertible {
    enum Unit: Sendable, Equatable {
        /// Line `number` of the file `source`.
        case line
        /// Class `number` (1-based) of a list; `source` names the list when it has a name.
        case item
    }

    let source: String?
    let unit: Unit
    let number: Int

    /// The prefix of an error message: `vocab.txt:3`, `inline vocabulary, class 2`, `class 2`.
    var description: String {
        switch (unit, source) {
        case (.line, let source?): return "\(source):\(number)"
        case (.item, let source?): return "\(source), class \(number)"
        case (_, nil): return short
        }
    }

    /// The location within the same source: `line 3` or `class 2`.
    var short: String {
        switch unit {
        case .line: return "line \(number)"
        case .item: return "class \(number)"
        }
    }
}
