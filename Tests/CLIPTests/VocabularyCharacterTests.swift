import CLIP
import Foundation
import Testing

/// One character rule for every vocabulary source: UTF-8 only (U+FFFD, what invalid bytes
/// become in a string, counts as invalid), no control characters; errors give the byte offset.
@Suite struct VocabularyCharacterTests {
    static let controlAdvice = "a vocabulary may not contain control characters (tab counts as a space)"
    static let replacementAdvice = "bytes that are not UTF-8 become U+FFFD when read as text, and a vocabulary must be UTF-8 text"

    @Test func nulInAFileNamesLineAndOffset() throws {
        let e = vocabularyError { try Vocabulary.parse(text: "car\nbus\u{0}stop\n", source: "v.txt") }
        #expect(e?.kind == .controlCharacter)
        #expect(e?.description == "v.txt:2: control character U+0000 (NUL) at byte offset 7; \(Self.controlAdvice)")
        let file = try VocabularyTempFile("car\nbus\u{0}stop\n")
        #expect(vocabularyError { try Vocabulary.load(path: file.path) }?.description
            == "\(file.path):2: control character U+0000 (NUL) at byte offset 7; \(Self.controlAdvice)")
    }

    @Test func nulInlineNamesClassAndOffset() {
        let e = vocabularyError { try Vocabulary.parseInline("car; bus\u{0}") }
        #expect(e?.kind == .controlCharacter)
        #expect(e?.description == "inline vocabulary, class 2: control character U+0000 (NUL) at byte offset 8; \(Self.controlAdvice)")
        #expect(vocabularyError { try Vocabulary.resolve("\u{0}") }?.kind == .controlCharacter)
    }

    @Test(arguments: [0x01, 0x07, 0x0B, 0x0C, 0x1B, 0x1F, 0x7F, 0x85, 0x9B, 0x2028, 0x2029] as [UInt32])
    func everyControlCharacterIsRejected(_ code: UInt32) throws {
        let scalar = try #require(Unicode.Scalar(code))
        let text = "thing: person, \(Character(scalar))fake"
        #expect(vocabularyError { try Vocabulary.parse(text: text, source: "v") }?.kind == .controlCharacter)
        #expect(vocabularyError { try Vocabulary.parseInline(text) }?.kind == .controlCharacter)
        #expect(vocabularyError { try Vocabulary(classes: [(["person", "\(Character(scalar))fake"], true)]) }?.kind == .controlCharacter)
    }

    @Test func namesOfCommonControlCharacters() {
        let esc = vocabularyError { try Vocabulary.parseInline("car\u{1B}[31m") }
        #expect(esc?.description == "inline vocabulary, class 1: control character U+001B (escape) at byte offset 3; \(Self.controlAdvice)")
        let ls = vocabularyError { try Vocabulary.parse(text: "a\u{2028}b", source: "v") }
        #expect(ls?.description == "v:1: control character U+2028 (line separator) at byte offset 1; \(Self.controlAdvice)")
    }

    @Test func controlCharactersInCommentsAreRejectedToo() {
        #expect(vocabularyError { try Vocabulary.parse(text: "car # a\u{0}b", source: "v") }?.kind == .controlCharacter)
    }

    @Test func tabIsASpace() throws {
        let v = try Vocabulary.parse(text: "\tthing:\tspilled\tliquid,\tpuddle\t", source: "v")
        #expect(v.classes[0].synonyms == ["spilled\tliquid", "puddle"])
    }

    @Test func lineBreaksInsideSynonymsGivenInCode() {
        let e = vocabularyError { try Vocabulary(classes: [(["car"], true), (["person", "a\nFAKE LOG LINE"], true)]) }
        #expect(e?.kind == .controlCharacter)
        #expect(e?.description == "class 2: synonym 2 of 2 has control character U+000A (line feed) at byte offset 1; \(Self.controlAdvice)")
    }

    @Test func offsetsCountCRLFBOMAndMultibyteCharacters() {
        // BOM (3 bytes) + "é\r\n" (4) + "ü" (2): the NUL is at byte 9, on line 2.
        let e = vocabularyError { try Vocabulary.parse(utf8: Array("\u{FEFF}é\r\nü\u{0}".utf8), source: "v") }
        #expect(e?.description == "v:2: control character U+0000 (NUL) at byte offset 9; \(Self.controlAdvice)")
        // A lone CR ends a line too.
        #expect(vocabularyError { try Vocabulary.parse(text: "a\rb\r\n\r\nc\u{7}", source: "v") }?.description.hasPrefix("v:4: ") == true)
    }

    @Test func invalidUTF8InAFileNamesLineAndOffset() throws {
        let cases: [([UInt8], String)] = [
            (Array("car\nbus\n".utf8) + [0xFF], "v.txt:3: invalid UTF-8 at byte offset 8 (byte 0xFF)"),
            (Array("car\r\nbus ".utf8) + [0xC3], "v.txt:2: invalid UTF-8 at byte offset 9 (byte 0xC3)"),  // truncated
            ([0x61, 0xC0, 0x80], "v.txt:1: invalid UTF-8 at byte offset 1 (byte 0xC0)"),  // overlong NUL
            ([0x61, 0x0A, 0xED, 0xA0, 0x80], "v.txt:2: invalid UTF-8 at byte offset 2 (byte 0xED)"),  // surrogate
        ]
        for (bytes, message) in cases {
            let e = vocabularyError { try Vocabulary.parse(utf8: bytes, source: "v.txt") }
            #expect(e?.kind == .invalidUTF8)
            #expect(e?.description == message + "; a vocabulary must be UTF-8 text")
        }
        let file = try VocabularyTempFile("")
        try Data(cases[0].0).write(to: URL(fileURLWithPath: file.path))
        #expect(vocabularyError { try Vocabulary.load(path: file.path) }?.description
            == "\(file.path):3: invalid UTF-8 at byte offset 8 (byte 0xFF); a vocabulary must be UTF-8 text")
    }

    @Test func invalidUTF8InlineIsRejectedLikeInAFile() {
        // The command line and the control socket hand over text whose invalid bytes became U+FFFD.
        let repaired = String(decoding: Array("car; bus".utf8) + [0xFF, 0x61], as: UTF8.self)
        let e = vocabularyError { try Vocabulary.parseInline(repaired) }
        #expect(e?.kind == .invalidUTF8)
        #expect(e?.description == "inline vocabulary, class 2: U+FFFD (the replacement character) at byte offset 8; \(Self.replacementAdvice)")
        #expect(vocabularyError { try Vocabulary.resolve(repaired) }?.kind == .invalidUTF8)
        #expect(vocabularyError { try Vocabulary.parse(text: "ok\n\u{FFFD}", source: "v") }?.kind == .invalidUTF8)
        #expect(vocabularyError { try Vocabulary(classes: [(["a\u{FFFD}"], true)]) }?.kind == .invalidUTF8)
    }

    @Test func separatorsFollowedByCombiningMarksStillSeparate() throws {
        // ";" + U+0301 is one Character but two scalars; the split works on scalars.
        let v = try Vocabulary.parseInline("car;\u{301}bus, coach#\u{301}comment")
        #expect(v.classes.map(\.synonyms) == [["car"], ["\u{301}bus", "coach"]])
    }
}
