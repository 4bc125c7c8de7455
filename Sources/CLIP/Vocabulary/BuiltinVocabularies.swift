/// One embedded built-in vocabulary (the data is in the generated BuiltinVocabularyData.swift).
struct BuiltinVocabularyRecord: Sendable {
    /// The name `Vocabulary.builtin` takes.
    let name: String
    /// The dataset, for messages.
    let title: String
    /// The official fc-clip file the class strings come from.
    let source: String
    /// One class per line: `T ` or `S ` (thing or stuff), then the official class string.
    let classes: String
}

/// The built-in vocabularies and the COCO panoptic synonym set that defines "seen" classes.
enum BuiltinVocabularies {
    /// FC-CLIP's synonym split of an official class string: replace ", " by ",", then split on
    /// ","; no other trimming, empty pieces and duplicates kept (fcclip-inference.md §4.4).
    static func officialSynonyms(_ classString: Substring) -> [String] {
        classString.replacing(", ", with: ",")
            .split(separator: ",", omittingEmptySubsequences: false)
            .map(String.init)
    }

    /// (isThing, synonyms) of every class of a record, in the official order.
    static func parsedClasses(_ record: BuiltinVocabularyRecord) -> [(isThing: Bool, synonyms: [String])] {
        record.classes.split(separator: "\n").map { line in
            (isThing: line.first == "T", synonyms: officialSynonyms(line.dropFirst(2)))
        }
    }

    /// The record named `name` (already normalized), if any.
    static func record(named name: String) -> BuiltinVocabularyRecord? {
        records.first { $0.name == name }
    }

    /// Every synonym of the COCO panoptic classes (FC-CLIP's training vocabulary), split the
    /// official way: 254 distinct strings.
    static let cocoPanopticSynonyms: Set<String> = {
        guard let coco = record(named: "coco") else { preconditionFailure("the coco built-in is missing") }
        return Set(parsedClasses(coco).flatMap(\.synonyms))
    }()

    /// The official `category_overlapping_mask` entry of a class: any synonym equal, exactly
    /// (case-sensitive, as in fc-clip), to a COCO panoptic synonym.
    static func isSeenInCOCO(_ synonyms: [String]) -> Bool {
        synonyms.contains { cocoPanopticSynonyms.contains($0) }
    }
}

extension Vocabulary {
    /// The built-in vocabulary names, in a fixed order: `coco` (COCO panoptic, 133 classes),
    /// `ade20k` (ADE20K-150), `ade20k-full` (ADE20K-847), `cityscapes` (19), `mapillary`
    /// (Mapillary Vistas, 65), `pascal-voc` (Pascal VOC 20 + background), `pascal-context`
    /// (Pascal Context 59), `pascal-context-full` (Pascal Context 459), `lvis` (LVIS v1, 1203).
    public static let builtinNames: [String] = BuiltinVocabularies.records.map(\.name)

    /// A built-in vocabulary, by name (case-insensitive; see `builtinNames`).
    ///
    /// Classes, synonyms and order are FC-CLIP's official ones (`*_with_prompt_eng.txt` in the
    /// official metadata order). Thing flags come from the official metadata where it has them
    /// (COCO, ADE20K-150, Cityscapes, Mapillary); ADE20K-847 and both Pascal Context lists are
    /// semantic-only datasets and all stuff; Pascal VOC's 20 object classes are things and its
    /// background stuff; LVIS is all things. Official lists are taken as they are: `ade20k-full`
    /// has 9 display labels shared by several classes ("bag" by three), which user vocabularies
    /// may not have.
    public static func builtin(_ name: String) throws -> Vocabulary {
        let key = name.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        guard let record = BuiltinVocabularies.record(named: key) else {
            throw VocabularyError(
                .unknownBuiltin, at: nil,
                "unknown built-in vocabulary \"\(name)\" (built-ins: \(builtinNames.joined(separator: ", ")))")
        }
        return Vocabulary(trusted: BuiltinVocabularies.parsedClasses(record).map {
            VocabularyClass(
                synonyms: $0.synonyms, isThing: $0.isThing,
                seenInCOCO: BuiltinVocabularies.isSeenInCOCO($0.synonyms))
        })
    }

    /// True when `name` names a built-in vocabulary (case-insensitive, surrounding spaces ignored).
    public static func isBuiltinName(_ name: String) -> Bool {
        BuiltinVocabularies.record(named: name.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()) != nil
    }
}
