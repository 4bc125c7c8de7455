import CLIP
import Testing

/// Prompt templates and prompt order.
@Suite struct VocabularyPromptTests {
    @Test func vildTemplatesAreExact() {
        #expect(PromptTemplates.vild.count == 14)
        #expect(PromptTemplates.vild[0] == "a photo of a {}.")
        #expect(PromptTemplates.vild[1] == "This is a photo of a {}")
        #expect(PromptTemplates.vild[4] == "a photo of a {} in the scene")
        #expect(PromptTemplates.vild[13] == "There is a large {} in the scene.")
        #expect(PromptTemplates.vild.filter { $0.hasSuffix(".") }.count == 10)
    }

    @Test func promptsAreClassThenSynonymThenTemplate() throws {
        let v = try Vocabulary.parseInline("a, b; c")
        #expect(v.prompts(templates: ["{}!", "x {} {}"]) == ["a!", "x a a", "b!", "x b b", "c!", "x c c"])
        #expect(v.prompts().count == 3 * 14)
        #expect(v.prompts()[14] == "a photo of a b.")
    }
}
