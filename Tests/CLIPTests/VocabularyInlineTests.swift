import CLIP
import Foundation
import Testing

/// Inline vocabularies, files, classes given in code, and `resolve` (the CLI's --vocab).
@Suite struct VocabularyInlineTests {
    @Test func inlineSeparatesClassesBySemicolons() throws {
        let v = try Vocabulary.parseInline("thing: person, child; forklift; stuff: spilled liquid;")
        #expect(v.names == ["person", "forklift", "spilled liquid"])
        #expect(v.classes.map(\.synonyms) == [["person", "child"], ["forklift"], ["spilled liquid"]])
        #expect(v.classes.map(\.isThing) == [true, true, false])
    }

    @Test func inlineErrorsNameTheClassPosition() {
        let dup = vocabularyError { try Vocabulary.parseInline("car; truck; CAR") }
        #expect(dup?.description == "inline vocabulary, class 3: duplicate class name \"CAR\": class 1 already defines it (\"car\"; class names are compared ignoring case and repeated spaces, as the tokenizer lowercases them)")
        let empty = vocabularyError { try Vocabulary.parseInline(" ; ;") }
        #expect(empty?.kind == .empty)
        let comma = vocabularyError { try Vocabulary.parseInline("car; truck,") }
        #expect(comma?.description == "inline vocabulary, class 2: empty synonym at the end of \"truck,\" (synonyms are separated by single commas)")
    }

    @Test func loadsAFileAndNamesItInErrors() throws {
        let good = try VocabularyTempFile("# mine\nstuff: puddle\nforklift\n")
        let v = try Vocabulary.load(path: good.path)
        #expect(v.names == ["puddle", "forklift"])
        let bad = try VocabularyTempFile("puddle\nforklift\nPuddle\n")
        let e = vocabularyError { try Vocabulary.load(path: bad.path) }
        #expect(e?.description.hasPrefix("\(bad.path):3: duplicate class name \"Puddle\": line 1") == true)
    }

    @Test func missingOrBinaryFileIsAClearError() throws {
        let missing = vocabularyError { try Vocabulary.load(path: "/nonexistent/dir/vocab.txt") }
        #expect(missing?.kind == .unreadableFile)
        #expect(missing?.description == "/nonexistent/dir/vocab.txt: vocabulary file not found")
        let directory = vocabularyError { try Vocabulary.load(path: NSTemporaryDirectory()) }
        #expect(directory?.kind == .unreadableFile)
        let binary = try VocabularyTempFile("")
        try Data([0x66, 0xFF, 0xFE, 0x0A]).write(to: URL(fileURLWithPath: binary.path))
        let e = vocabularyError { try Vocabulary.load(path: binary.path) }
        #expect(e?.kind == .invalidUTF8)
        #expect(e?.description == "\(binary.path):1: invalid UTF-8 at byte offset 1 (byte 0xFF); a vocabulary must be UTF-8 text")
    }

    @Test func initFromCodeValidatesAndComputesSeen() throws {
        let v = try Vocabulary(classes: [(["person", "child"], true), (["forklift"], true), (["sky"], false)])
        #expect(v.classes.map(\.seenInCOCO) == [true, false, true])
        #expect(vocabularyError { try Vocabulary(classes: []) }?.description == "the vocabulary has no classes")
        #expect(vocabularyError { try Vocabulary(classes: [(["a"], true), ([], false)]) }?.description == "class 2: class without a name")
        #expect(vocabularyError { try Vocabulary(classes: [(["a", " "], true)]) }?.description == "class 1: synonym 2 of 2 is empty")
        #expect(vocabularyError { try Vocabulary(classes: [(["a"], true), (["b"], true), (["A"], true)]) }?.kind == .duplicateName)
    }

    @Test func resolvePicksBuiltinFileOrInline() throws {
        #expect(try Vocabulary.resolve("coco") == Vocabulary.builtin("coco"))
        #expect(try Vocabulary.resolve(" ADE20K-Full ") == Vocabulary.builtin("ade20k-full"))
        #expect(try Vocabulary.resolve("forklift").names == ["forklift"])
        #expect(try Vocabulary.resolve("coco, cocoa").classes.map(\.synonyms) == [["coco", "cocoa"]])
        #expect(try Vocabulary.resolve("coco;lvis").names == ["coco", "lvis"])
        #expect(try Vocabulary.resolve("thing: coco").names == ["coco"])
        #expect(try Vocabulary.resolve("person, child; stuff: puddle").names == ["person", "puddle"])
        let file = try VocabularyTempFile("stuff: puddle\n")
        #expect(try Vocabulary.resolve("@" + file.path).names == ["puddle"])
        #expect(vocabularyError { try Vocabulary.resolve("@") }?.kind == .unreadableFile)
        #expect(vocabularyError { try Vocabulary.resolve("@/nonexistent.txt") }?.kind == .unreadableFile)
        #expect(vocabularyError { try Vocabulary.resolve("  ") }?.kind == .empty)
    }
}
