import CLIP
import Testing

/// A misspelt built-in name is an error that suggests the name, not a silent one-class vocabulary.
@Suite struct VocabularyBuiltinSuggestionTests {
    @Test func misspeltBuiltinNamesAreErrorsWithASuggestion() throws {
        let cases = ["ade150": "ade20k", "ADE20": "ade20k", "cocoo": "coco", "coc": "coco", "cityscape": "cityscapes",
                     "lvsi": "lvis", "pascal": "pascal-voc", "mapilary": "mapillary", "ade": "ade20k"]
        for (word, builtin) in cases {
            #expect(Vocabulary.builtinSuggestion(for: word) == builtin, "\(word)")
            do {
                _ = try Vocabulary.resolve(word)
                Issue.record("\(word) resolved")
            } catch let error as VocabularyError {
                #expect(error.kind == .unknownBuiltin)
                #expect(error.description.contains("did you mean `\(builtin)`?") && error.description.contains("thing: \(word)"), "\(error)")
            }
        }
    }

    @Test func classesThatAreNotLikeABuiltinStayInline() throws {
        for word in ["person", "forklift", "car", "cat", "dog", "sky", "pallet", "spilled liquid", "lv", "coco, cat"] {
            #expect(Vocabulary.builtinSuggestion(for: word) == nil || word.contains(","), "\(word)")
        }
        #expect(try Vocabulary.resolve("forklift").classes.map(\.name) == ["forklift"])
        #expect(try Vocabulary.resolve("thing: ade150").classes.map(\.name) == ["ade150"], "the documented way to name such a class")
        #expect(try Vocabulary.resolve("ADE20K").classes.count == 150)
    }

    @Test func editDistanceCountsASwapAsOneEdit() {
        #expect(Vocabulary.editDistance("fps", "fsp") == 1)
        #expect(Vocabulary.editDistance("ade150", "ade20k") == 3)
        #expect(Vocabulary.editDistance("", "abc") == 3)
        #expect(Vocabulary.editDistance("kitten", "sitting") == 3)
    }
}
