import CLIP
import Testing

/// The user vocabulary-file format: prefixes, synonyms, comments and every error.
@Suite struct VocabularyFormatTests {
    @Test func parsesTheBundleDocumentExample() throws {
        let v = try Vocabulary.parse(text: """
            thing: person, child, girl, boy
            thing: forklift
            stuff: floor, ground
            stuff: spilled liquid, puddle
            """, source: "example.txt")
        #expect(v.names == ["person", "forklift", "floor", "spilled liquid"])
        #expect(v.classes.map(\.isThing) == [true, true, false, false])
        #expect(v.classes[0].synonyms == ["person", "child", "girl", "boy"])
        #expect(v.synonymCounts == [4, 1, 2, 2])
        #expect(v.synonyms == ["person", "child", "girl", "boy", "forklift", "floor", "ground", "spilled liquid", "puddle"])
    }

    @Test func defaultsToThingAndAcceptsPrefixesInAnyCase() throws {
        let v = try Vocabulary.parse(text: "forklift\nSTUFF: puddle\n  Thing :crate\nStuff:  \tsand  ", source: "v")
        #expect(v.names == ["forklift", "puddle", "crate", "sand"])
        #expect(v.classes.map(\.isThing) == [true, false, true, false])
    }

    @Test func trimsSynonymsButKeepsInnerSpacesAndDuplicates() throws {
        let v = try Vocabulary.parse(text: "  thing:   spilled  liquid ,puddle,  puddle\t", source: "v")
        #expect(v.classes[0].synonyms == ["spilled  liquid", "puddle", "puddle"])
    }

    @Test func skipsCommentsBlankLinesAndHandlesCRLFAndBOM() throws {
        let text = "\u{FEFF}# header\r\n\r\nperson, child # the people\r\n   \r\n# stuff: floor\r\nstuff: floor#no space\r\n"
        let v = try Vocabulary.parse(text: text, source: "v")
        #expect(v.names == ["person", "floor"])
        #expect(v.classes[0].synonyms == ["person", "child"])
        #expect(v.classes[1].isThing == false)
    }

    @Test func colonsInsideNames() throws {
        let v = try Vocabulary.parse(text: "ratio 16:9 screen\nstuff: note: wet floor\n16:9 monitor", source: "v")
        #expect(v.names == ["ratio 16:9 screen", "note: wet floor", "16:9 monitor"])
        #expect(v.classes.map(\.isThing) == [true, false, true])
    }

    @Test func allowsNamesUpToTheSynonymLimit() throws {
        let long = String(repeating: "very ", count: 50) + "thing!"
        #expect(long.utf8.count == VocabularyLimits.maxSynonymBytes)
        let v = try Vocabulary.parse(text: long, source: "v")
        #expect(v.names == [long])
    }

    @Test func emptyVocabularyIsAnError() {
        for text in ["", "\n\n", "# only a comment\n   # another\n"] {
            let e = vocabularyError { try Vocabulary.parse(text: text, source: "empty.txt") }
            #expect(e?.kind == .empty)
            #expect(e?.description == "empty.txt: no classes (the file has only blank lines and comments)")
        }
    }

    @Test func emptySynonymsNameTheLine() {
        let cases: [(String, String)] = [
            ("car\na,,b", "v.txt:2: empty synonym between two commas of \"a,,b\" (synonyms are separated by single commas)"),
            ("car\n\nthing: a, b,", "v.txt:3: empty synonym at the end of \"a, b,\" (synonyms are separated by single commas)"),
            (", a", "v.txt:1: empty synonym at the start of \", a\" (synonyms are separated by single commas)"),
            ("a, , b", "v.txt:1: empty synonym between two commas of \"a, , b\" (synonyms are separated by single commas)"),
        ]
        for (text, message) in cases {
            let e = vocabularyError { try Vocabulary.parse(text: text, source: "v.txt") }
            #expect(e?.kind == .emptySynonym)
            #expect(e?.description == message)
        }
    }

    @Test func prefixWithoutNameIsAnError() {
        let e = vocabularyError { try Vocabulary.parse(text: "car\nstuff:   # nothing", source: "v.txt") }
        #expect(e?.kind == .missingName)
        #expect(e?.description == "v.txt:2: class without a name after \"stuff:\"")
    }

    @Test func unknownPrefixIsAnError() {
        let e = vocabularyError { try Vocabulary.parse(text: "car\nthings: person", source: "v.txt") }
        #expect(e?.kind == .unknownPrefix)
        #expect(e?.description == "v.txt:2: unknown prefix \"things:\" (a class may start with \"thing:\" or \"stuff:\"; write \"thing: things: person\" if the colon belongs to the name)")
    }

    @Test func duplicateNamesNameBothLines() {
        let e = vocabularyError { try Vocabulary.parse(text: "car, auto\ntruck\n# c\ncar, cars", source: "v.txt") }
        #expect(e?.kind == .duplicateName)
        #expect(e?.description == "v.txt:4: duplicate class name \"car\": line 1 already defines it")
    }

    @Test func duplicateNamesIgnoreCaseAndRepeatedSpaces() {
        let e = vocabularyError { try Vocabulary.parse(text: "stuff: spilled liquid\nthing: Spilled   Liquid", source: "v.txt") }
        #expect(e?.kind == .duplicateName)
        #expect(e?.description == "v.txt:2: duplicate class name \"Spilled   Liquid\": line 1 already defines it (\"spilled liquid\"; class names are compared ignoring case and repeated spaces, as the tokenizer lowercases them)")
    }

    @Test func sharedSynonymsOtherThanTheLabelAreAllowed() throws {
        let v = try Vocabulary.parse(text: "car, vehicle\ntruck, vehicle\nvehicle", source: "v")
        #expect(v.names == ["car", "truck", "vehicle"])
    }
}
