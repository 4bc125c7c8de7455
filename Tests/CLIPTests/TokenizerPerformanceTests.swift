import CLIP
import Foundation
import Testing

/// Tokenizing a vocabulary's prompts: 35 COCO class names × the 14 FC-CLIP templates. The
/// times are printed, not asserted (a loaded machine makes any bound flaky); `segd bench text`
/// times the whole text classifier.
@Suite struct TokenizerPerformanceTests {
    static let templates = [
        "a photo of a {}.", "This is a photo of a {}", "There is a {} in the scene", "There is the {} in the scene",
        "a photo of a {} in the scene", "a photo of a small {}.", "a photo of a medium {}.", "a photo of a large {}.",
        "This is a photo of a small {}.", "This is a photo of a medium {}.", "This is a photo of a large {}.",
        "There is a small {} in the scene.", "There is a medium {} in the scene.", "There is a large {} in the scene.",
    ]

    /// The first 35 synonyms of the COCO panoptic class list.
    static func classNames() throws -> [String] {
        let path = TokenizerFixtures.path("spec/fcclip-classnames/coco_panoptic_with_prompt_eng.txt")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let names = text.split(separator: "\n").dropFirst().flatMap { line in
            line.split(separator: ":", maxSplits: 1).last!.split(separator: ",").map(String.init)
        }
        return Array(names.prefix(35))
    }

    @Test func fourHundredNinetyPromptsAreTheSameWithAnEmptyOrAWarmCache() throws {
        let prompts = try Self.classNames().flatMap { name in
            Self.templates.map { $0.replacingOccurrences(of: "{}", with: name) }
        }
        #expect(prompts.count == 490)
        // A tokenizer of its own, so that its word cache starts empty.
        let tokenizer = try CLIPTokenizer(vocabularyPath: TokenizerFixtures.vocabularyPath)
        var rows: [[Int32]] = [], warmRows: [[Int32]] = []
        let cold = TokenizerFixtures.seconds { rows = tokenizer.tokenize(prompts) }
        let warm = TokenizerFixtures.seconds { warmRows = tokenizer.tokenize(prompts) }
        #expect(rows.count == 490)
        #expect(rows.allSatisfy { $0.count == 77 && $0.first == CLIPTokenizer.startOfText })
        #expect(rows[0].prefix(8) == [49406, 320, 1125, 539, 320, 2533, 269, 49407])  // "a photo of a person."
        #expect(warmRows == rows, "the word cache changes no token")
        print("tokenizer: 490 prompts in \(String(format: "%.2f", cold * 1000)) ms (empty cache), "
              + "\(String(format: "%.2f", warm * 1000)) ms (warm cache)")
    }
}
