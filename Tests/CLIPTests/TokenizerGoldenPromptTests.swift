import CLIP
import Foundation
import ModelIO
import Testing

/// The prompts of the FC-CLIP golden fixtures (490 in tiny-a, 602 in tiny-b), against the token
/// rows the official implementation fed its text encoder (`text.tokens` in io.safetensors).
@Suite struct TokenizerGoldenPromptTests {
    @Test(arguments: ["tiny-a", "tiny-b"])
    func promptRowsMatchTheOfficialTokens(fixture: String) throws {
        let tokenizer = try TokenizerFixtures.tokenizer()
        let folder = TokenizerFixtures.path("fcclip/\(fixture)")
        let configData = try Data(contentsOf: URL(fileURLWithPath: folder + "/config.json"))
        let config = try #require(try JSONSerialization.jsonObject(with: configData) as? [String: Any])
        let prompts = try #require(config["prompts"] as? [String])
        let (shape, values) = try SafeTensorsFile(path: folder + "/io.safetensors").integers("text.tokens")
        #expect(shape == [prompts.count, CLIPTokenizer.contextLength])

        let rows = tokenizer.tokenize(prompts)
        var mismatches: [String] = []
        for (r, row) in rows.enumerated() {
            let official = values[(r * shape[1])..<((r + 1) * shape[1])].map { Int32($0) }
            if row != official { mismatches.append(prompts[r]) }
        }
        #expect(mismatches.isEmpty, "prompts tokenized differently: \(mismatches.prefix(5))")
    }
}
