import Foundation

/// One class of a vocabulary: its synonyms (the first is the display label), whether it is a
/// countable thing (instances) or amorphous stuff, and whether FC-CLIP saw it during training.
public struct VocabularyClass: Sendable, Hashable {
    /// The synonyms, in order; never empty. Each one becomes its own text embedding.
    public let synonyms: [String]
    /// True for things (panoptic output separates instances), false for stuff.
    public let isThing: Bool
    /// True when any synonym equals, exactly, one of the COCO panoptic synonyms: the official
    /// `category_overlapping_mask`, which picks the α or β weight of the geometric ensemble.
    public let seenInCOCO: Bool

    /// The display label: the first synonym.
    public var name: String { synonyms[0] }
}

/// The classes FC-CLIP segments, in class-index order, with everything the text classifier
/// needs from them: the prompt list and the per-class synonym counts.
public struct Vocabulary: Sendable, Hashable {
    /// The classes, in class-index order.
    public let classes: [VocabularyClass]

    /// Builds a vocabulary from classes given in code, computing `seenInCOCO` for each.
    ///
    /// Synonyms are used verbatim. Throws `VocabularyError` for an empty list, a class without
    /// synonyms, an empty (or all-whitespace) synonym, or two classes whose display labels are
    /// equal ignoring case and repeated spaces; errors name classes by 1-based position.
    public init(classes: [(synonyms: [String], isThing: Bool)]) throws {
        let entries = classes.enumerated().map { index, item in
            VocabularyEntry(
                synonyms: item.synonyms, isThing: item.isThing,
                location: VocabularyLocation(source: nil, unit: .item, number: index + 1))
        }
        self = try Vocabulary(validating: entries, emptyMessage: "the vocabulary has no classes")
    }

    /// A vocabulary made of classes that are already complete (built-ins, validated entries).
    init(trusted classes: [VocabularyClass]) {
        self.classes = classes
    }

    /// The display labels, in class order.
    public var names: [String] { classes.map(\.name) }

    /// The number of synonyms of each class, in class order: what the official code calls
    /// `num_templates` (the text classifier max-pools logits over each class's synonym columns).
    public var synonymCounts: [Int] { classes.map(\.synonyms.count) }

    /// Every synonym, class-major: the rows of the text classifier before the void row.
    public var synonyms: [String] { classes.flatMap(\.synonyms) }

    /// The text prompts to encode: for each class in order, each of its synonyms in order, each
    /// template in order (template index fastest), with every `{}` replaced by the synonym.
    /// There are `synonyms.count * templates.count` of them.
    public func prompts(templates: [String] = PromptTemplates.vild) -> [String] {
        synonyms.flatMap { Vocabulary.prompts(for: $0, templates: templates) }
    }

    /// The prompts of one synonym: each template in order with every `{}` replaced by it.
    public static func prompts(for synonym: String, templates: [String] = PromptTemplates.vild) -> [String] {
        templates.map { $0.replacingOccurrences(of: "{}", with: synonym) }
    }
}
