import CLIP
import Testing

/// The embedded built-in vocabularies against the official class-name files, the TSVs generated
/// with the official code, and the counts of fcclip-inference.md §4.4 and the classnames README.
@Suite struct VocabularyBuiltinTests {
    struct Expected: Sendable, CustomStringConvertible {
        let name: String
        let file: String
        let tsv: String?
        let keepIndexZero: Bool
        let classes: Int
        let synonyms: Int
        let seen: Int
        var description: String { name }
    }

    static let expected: [Expected] = [
        .init(name: "coco", file: "coco_panoptic_with_prompt_eng.txt", tsv: "coco_panoptic_133.tsv", keepIndexZero: false, classes: 133, synonyms: 254, seen: 133),
        .init(name: "ade20k", file: "ade20k_150_with_prompt_eng.txt", tsv: "ade20k_150.tsv", keepIndexZero: false, classes: 150, synonyms: 403, seen: 64),
        .init(name: "ade20k-full", file: "ade20k_847_with_prompt_eng.txt", tsv: nil, keepIndexZero: false, classes: 847, synonyms: 1342, seen: 101),
        .init(name: "cityscapes", file: "cityscapes_with_prompt_eng.txt", tsv: "cityscapes_19.tsv", keepIndexZero: true, classes: 19, synonyms: 60, seen: 17),
        .init(name: "mapillary", file: "mapillary_vistas_with_prompt_eng.txt", tsv: "mapillary_vistas_65.tsv", keepIndexZero: false, classes: 65, synonyms: 153, seen: 26),
        .init(name: "pascal-voc", file: "pascal_voc_21_with_prompt_eng.txt", tsv: nil, keepIndexZero: true, classes: 21, synonyms: 153, seen: 21),
        .init(name: "pascal-context", file: "pascal_ctx_59_with_prompt_eng.txt", tsv: nil, keepIndexZero: false, classes: 59, synonyms: 160, seen: 51),
        .init(name: "pascal-context-full", file: "pascal_ctx_459_with_prompt_eng.txt", tsv: nil, keepIndexZero: false, classes: 459, synonyms: 559, seen: 85),
        .init(name: "lvis", file: "lvis_1203_with_prompt_eng.txt", tsv: nil, keepIndexZero: false, classes: 1203, synonyms: 1825, seen: 80),
    ]

    @Test func namesAreFixed() {
        #expect(Vocabulary.builtinNames == Self.expected.map(\.name))
        #expect(Vocabulary.builtinNames == [
            "coco", "ade20k", "ade20k-full", "cityscapes", "mapillary", "pascal-voc", "pascal-context",
            "pascal-context-full", "lvis",
        ])
    }

    @Test(arguments: expected)
    func matchesTheOfficialFiles(_ e: Expected) throws {
        let v = try Vocabulary.builtin(e.name)
        #expect(v.classes.count == e.classes)
        #expect(v.synonyms.count == e.synonyms)
        #expect(v.synonymCounts.reduce(0, +) == e.synonyms)
        #expect(v.classes.filter(\.seenInCOCO).count == e.seen)
        let official = try VocabularyFixtures.promptEng(e.file, keepIndexZero: e.keepIndexZero)
        #expect(v.classes.map(\.synonyms) == official)
        if let tsv = e.tsv {
            let rows = try VocabularyFixtures.tsv(tsv)
            #expect(v.classes.map(\.synonyms) == rows.map(\.synonyms))
            #expect(v.classes.map(\.isThing) == rows.map(\.isThing))
            #expect(v.classes.map(\.seenInCOCO) == rows.map(\.seen))
        }
        #expect(v.prompts().count == e.synonyms * 14)
    }

    @Test func thingFlagsWhereTheOfficialDataHasNone() throws {
        #expect(try Vocabulary.builtin("ade20k-full").classes.allSatisfy { !$0.isThing })
        #expect(try Vocabulary.builtin("pascal-context").classes.allSatisfy { !$0.isThing })
        #expect(try Vocabulary.builtin("pascal-context-full").classes.allSatisfy { !$0.isThing })
        #expect(try Vocabulary.builtin("lvis").classes.allSatisfy(\.isThing))
        let voc = try Vocabulary.builtin("pascal-voc")
        #expect(voc.classes.map(\.isThing) == [false] + Array(repeating: true, count: 20))
        #expect(try Vocabulary.builtin("coco").classes.filter(\.isThing).count == 80)
        #expect(try Vocabulary.builtin("ade20k").classes.filter(\.isThing).count == 100)
        #expect(try Vocabulary.builtin("cityscapes").classes.filter(\.isThing).count == 8)
        #expect(try Vocabulary.builtin("mapillary").classes.filter(\.isThing).count == 37)
    }

    @Test func officialSplitKeepsDuplicatesAndOrder() throws {
        let voc = try Vocabulary.builtin("pascal-voc")
        let background = voc.classes[0].synonyms
        #expect(voc.names.first == "background")
        #expect(background.count == 74)
        #expect(background.filter { $0 == "bag" }.count == 2)
        #expect(background.filter { $0 == "tiles" }.count == 2)
        #expect(try Vocabulary.builtin("ade20k").synonymCounts.max() == 12)
        #expect(try Vocabulary.builtin("coco").synonymCounts.max() == 17)
        #expect(Set(try Vocabulary.builtin("coco").synonyms).count == 254)
    }

    @Test func officialDuplicateLabelsAreKept() throws {
        // ADE20K-847 has 9 display labels shared by different classes ("bag" by three, the others
        // by two); the duplicate-name rule applies to user vocabularies only.
        let names = try Vocabulary.builtin("ade20k-full").names
        let repeated = Dictionary(grouping: names, by: { $0 }).filter { $0.value.count > 1 }.mapValues(\.count)
        #expect(repeated == [
            "bag": 3, "basket": 2, "control panel": 2, "grill": 2, "patio": 2, "pedestal": 2, "pier": 2, "pipe": 2,
            "pot": 2,
        ])
        #expect(Set(try Vocabulary.builtin("ade20k-full").classes.map(\.synonyms)).count == 847)
    }

    @Test func lookupIsCaseInsensitiveAndUnknownNamesAreListed() throws {
        #expect(try Vocabulary.builtin("COCO") == Vocabulary.builtin("coco"))
        #expect(Vocabulary.isBuiltinName(" Pascal-VOC "))
        #expect(!Vocabulary.isBuiltinName("pascal"))
        let e = vocabularyError { try Vocabulary.builtin("ade") }
        #expect(e?.kind == .unknownBuiltin)
        #expect(e?.description == "unknown built-in vocabulary \"ade\" (built-ins: coco, ade20k, ade20k-full, cityscapes, mapillary, pascal-voc, pascal-context, pascal-context-full, lvis)")
    }
}
