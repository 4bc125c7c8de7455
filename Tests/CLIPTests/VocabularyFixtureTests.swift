import CLIP
import Testing

/// The fixtures' vocab.txt reproduce what the official code computed from the same classes.
@Suite struct VocabularyFixtureTests {
    @Test(arguments: ["tiny-a", "tiny-b"])
    func vocabFileMatchesTheOfficialRun(fixture: String) throws {
        let v = try Vocabulary.load(path: VocabularyFixtures.vocabPath(fixture))
        let config = try VocabularyFixtures.config(fixture)
        #expect(v.classes.map(\.synonyms) == config.classes.map(\.synonyms))
        #expect(v.classes.map(\.isThing) == config.classes.map(\.isthing))
        #expect(v.classes.map(\.seenInCOCO) == config.classes.map(\.overlapping_with_train))
        let mask = try VocabularyFixtures.ioIntegers(fixture, "text.category_overlapping_mask")
        #expect(v.classes.map { $0.seenInCOCO ? Int64(1) : 0 } == mask)
        let counts = try VocabularyFixtures.ioIntegers(fixture, "text.num_templates")
        #expect(v.synonymCounts.map(Int64.init) == counts)
        #expect(config.templates == PromptTemplates.vild)
        #expect(v.prompts() == config.prompts)
    }

    @Test func tinyAHas490Prompts() throws {
        let v = try Vocabulary.load(path: VocabularyFixtures.vocabPath("tiny-a"))
        #expect(v.prompts().count == 490)
        #expect(v.classes.map(\.seenInCOCO) == [true, true, true, true, false, false, false, false])
    }
}
