import CLIP
import Foundation
import Testing

/// The largest texts the limits allow, shaped to make the parser work hardest: each is parsed or
/// refused with the expected error (the work per byte is bounded, so none of them can hang).
@Suite struct VocabularyWorstCaseTests {
    static let limit = VocabularyLimits.maxTextBytes

    @Test func oneLineOfCommas() {
        // Half a million synonyms on one line: refused by counting, before they are split.
        let text = "a" + String(repeating: ",a", count: (Self.limit - 1) / 2)
        let e = vocabularyError { try Vocabulary.parse(text: text, source: "v") }
        #expect(e?.description == "v:1: 524288 synonyms; a class may have at most 128")
    }

    @Test func onlyLineBreaks() {
        for separator in ["\n", "\r\n", ";"] {
            let text = String(repeating: separator, count: Self.limit / separator.utf8.count)
            #expect(vocabularyError { try Vocabulary.parseInline(text) }?.kind == .empty)
            // In a file, `;` is no separator: the line is one 1 MiB name.
            #expect(vocabularyError { try Vocabulary.parse(text: text, source: "v") }?.kind == (separator == ";" ? .synonymTooLong : .empty))
        }
    }

    @Test func oneLongName() {
        let text = String(repeating: "x", count: Self.limit)
        let e = vocabularyError { try Vocabulary.parse(text: text, source: "v") }
        #expect(e?.kind == .synonymTooLong)
        #expect(e?.description.hasPrefix("v:1: synonym 1 of 1 (\"\(String(repeating: "x", count: 40))…\") has 1048576 bytes") == true)
    }

    @Test func oneLongUnknownPrefix() {
        let text = String(repeating: "x", count: Self.limit - 1) + ":"
        let e = vocabularyError { try Vocabulary.parse(text: text, source: "v") }
        #expect(e?.kind == .unknownPrefix)
        #expect((e?.description.utf8.count ?? .max) < 400)
    }

    @Test func classesPastTheLimitStopTheParse() {
        // 100,000 short classes (the fault matrix's slow case; 688,889 bytes).
        let text = (0..<100_000).map { "c\($0)" }.joined(separator: "\n")
        #expect(vocabularyError { try Vocabulary.parse(text: text, source: "v") }?.kind == .tooManyClasses)
        #expect(vocabularyError { try Vocabulary.parseInline(text) }?.kind == .tooManyClasses)
    }

    @Test func theLargestValidVocabulary() throws {
        // 2,048 classes and 4,096 synonyms in all, each synonym 100 bytes long.
        let pad = String(repeating: "p", count: 95)
        func digits(_ n: Int, _ width: Int) -> String {
            let s = String(n)
            return String(repeating: "0", count: width - s.count) + s
        }
        let text = (0..<VocabularyLimits.maxClasses).map { "\(digits($0, 5))\(pad) , s\(digits($0, 4))\(pad)" }
            .joined(separator: "\n")
        let v = try Vocabulary.parse(text: text, source: "v")
        #expect(v.classes.count == VocabularyLimits.maxClasses)
        #expect(v.synonyms.count == VocabularyLimits.maxSynonyms)
        #expect(v.synonyms.allSatisfy { $0.utf8.count == 100 })
    }
}
