import CLIP
import Foundation
import Testing

/// The size limits on user vocabularies (VocabularyLimits), and that every built-in fits them.
@Suite struct VocabularyLimitTests {
    /// A vocabulary file holding `vocabulary`'s classes, one `thing:`/`stuff:` line each.
    static func fileText(_ vocabulary: Vocabulary) -> String {
        vocabulary.classes.map { ($0.isThing ? "thing: " : "stuff: ") + $0.synonyms.joined(separator: ",") }
            .joined(separator: "\n")
    }

    @Test(arguments: Vocabulary.builtinNames)
    func everyBuiltinFitsTheLimits(_ name: String) throws {
        let v = try Vocabulary.builtin(name)
        #expect(v.classes.count <= VocabularyLimits.maxClasses)
        #expect(v.synonymCounts.max()! <= VocabularyLimits.maxSynonymsPerClass)
        #expect(v.synonyms.count <= VocabularyLimits.maxSynonyms)
        #expect(v.synonyms.allSatisfy { $0.utf8.count <= VocabularyLimits.maxSynonymBytes })
        #expect(Self.fileText(v).utf8.count <= VocabularyLimits.maxTextBytes)
    }

    @Test(arguments: Vocabulary.builtinNames.filter { $0 != "ade20k-full" })
    func everyBuiltinWrittenAsAFileParsesBackEqual(_ name: String) throws {
        // ade20k-full repeats display labels, which user vocabularies may not.
        let builtin = try Vocabulary.builtin(name)
        #expect(try Vocabulary.parse(text: Self.fileText(builtin), source: "\(name).txt") == builtin)
    }

    @Test func classLimit() throws {
        let lines = (1...VocabularyLimits.maxClasses + 1).map { "class \($0)" }
        let atLimit = lines.dropLast().joined(separator: "\n")
        #expect(try Vocabulary.parse(text: atLimit, source: "v.txt").classes.count == VocabularyLimits.maxClasses)
        let over = vocabularyError { try Vocabulary.parse(text: "# many\n" + lines.joined(separator: "\n"), source: "v.txt") }
        #expect(over?.kind == .tooManyClasses)
        #expect(over?.description == "v.txt:2050: more than 2048 classes; a vocabulary may have at most 2048")
        let inline = vocabularyError { try Vocabulary.parseInline(lines.joined(separator: ";")) }
        #expect(inline?.description == "inline vocabulary, class 2049: more than 2048 classes; a vocabulary may have at most 2048")
        let code = vocabularyError { try Vocabulary(classes: lines.map { ([$0], true) }) }
        #expect(code?.description == "class 2049: more than 2048 classes; a vocabulary may have at most 2048")
    }

    @Test func classLimitStopsBeforeLaterErrors() {
        // The limit is reported at the first class past it, before anything later is looked at.
        let lines = (1...VocabularyLimits.maxClasses + 1).map { "class \($0)" } + ["a,,b"]
        #expect(vocabularyError { try Vocabulary.parse(text: lines.joined(separator: "\n"), source: "v") }?.kind == .tooManyClasses)
    }

    @Test func synonymsPerClassLimit() throws {
        let synonyms = (1...VocabularyLimits.maxSynonymsPerClass + 1).map { "s\($0)" }
        let ok = try Vocabulary.parse(text: "x\n" + synonyms.dropLast().joined(separator: ", "), source: "v.txt")
        #expect(ok.synonymCounts == [1, 128])
        let e = vocabularyError { try Vocabulary.parse(text: "x\n" + synonyms.joined(separator: ", "), source: "v.txt") }
        #expect(e?.kind == .tooManySynonyms)
        #expect(e?.description == "v.txt:2: 129 synonyms; a class may have at most 128")
        #expect(vocabularyError { try Vocabulary(classes: [(synonyms, false)]) }?.description == "class 1: 129 synonyms; a class may have at most 128")
    }

    @Test func totalSynonymLimit() throws {
        let perClass = VocabularyLimits.maxSynonymsPerClass
        let classCount = VocabularyLimits.maxSynonyms / perClass
        let lines = (1...classCount + 1).map { c in (1...perClass).map { "c\(c) s\($0)" }.joined(separator: ",") }
        #expect(try Vocabulary.parseInline(lines.dropLast().joined(separator: ";")).synonyms.count == VocabularyLimits.maxSynonyms)
        let e = vocabularyError { try Vocabulary.parseInline(lines.joined(separator: ";")) }
        #expect(e?.kind == .tooManySynonyms)
        #expect(e?.description == "inline vocabulary, class 33: more than 4096 synonyms in all; a vocabulary may have at most 4096")
    }

    @Test func synonymLengthCountsBytes() throws {
        // "é" is two UTF-8 bytes: 128 of them fit exactly, 128 and an "x" do not.
        let fits = String(repeating: "é", count: 128)
        #expect(try Vocabulary.parseInline("car, \(fits)").synonyms == ["car", fits])
        let e = vocabularyError { try Vocabulary.parseInline("car; bus, \(fits)x") }
        #expect(e?.kind == .synonymTooLong)
        #expect(e?.description == "inline vocabulary, class 2: synonym 2 of 2 (\"\(String(repeating: "é", count: 40))…\") has 257 bytes; a synonym may have at most 256 (the text encoder reads only 77 tokens)")
    }

    @Test func textSizeLimit() throws {
        let limit = VocabularyLimits.maxTextBytes
        // One class and a comment that fills the text to exactly the limit.
        let full = "forklift\n#" + String(repeating: "x", count: limit - 10)
        #expect(full.utf8.count == limit)
        #expect(try Vocabulary.parse(text: full, source: "v.txt").names == ["forklift"])
        #expect(try Vocabulary.parseInline(full).names == ["forklift"])
        let over = full + "x"
        let e = vocabularyError { try Vocabulary.parse(text: over, source: "v.txt") }
        #expect(e?.kind == .tooLarge)
        #expect(e?.description == "v.txt has 1048577 bytes; a vocabulary may have at most 1048576 bytes (1 MiB)")
        let inline = vocabularyError { try Vocabulary.parseInline(over) }
        #expect(inline?.description == "the inline vocabulary has 1048577 bytes; a vocabulary may have at most 1048576 bytes (1 MiB)")
        let bytes = vocabularyError { try Vocabulary.parse(utf8: Array(over.utf8), source: "v.txt") }
        #expect(bytes?.kind == .tooLarge)

        let atLimit = try VocabularyTempFile(full)
        #expect(try Vocabulary.load(path: atLimit.path).names == ["forklift"])
        let overFile = try VocabularyTempFile(over)
        #expect(vocabularyError { try Vocabulary.load(path: overFile.path) }?.kind == .tooLarge)
    }

    @Test func aHugeFileIsRefusedBeforeItIsRead() throws {
        // A sparse 200 MB file whose line 2 is a duplicate: the size is reported, not the duplicate.
        let file = try VocabularyTempFile("car\ncar\n")
        let handle = try #require(FileHandle(forWritingAtPath: file.path))
        try handle.truncate(atOffset: 200 << 20)
        try handle.close()
        let e = vocabularyError { try Vocabulary.load(path: file.path) }
        #expect(e?.kind == .tooLarge)
        #expect(e?.description == "\(file.path): larger than 1 MiB, the most segd reads as a vocabulary file; is this the right file?")
    }
}
