import CLIP
import Foundation
import Testing

/// Empty and odd input, special-token strings, truncation, long prompts, concurrency.
@Suite struct TokenizerEdgeCaseTests {
    static let emptyRow = [CLIPTokenizer.startOfText, CLIPTokenizer.endOfText] + [Int32](repeating: 0, count: 75)

    @Test(arguments: ["", " ", "\t\n  \r\n", "\u{A0}\u{3000}\u{2028}", "\u{0}\u{1}\u{FEFF}", "&nbsp;", "\u{1B}[0m"])
    func emptyAfterCleaningGivesStartAndEndOnly(_ text: String) throws {
        let tokenizer = try TokenizerFixtures.tokenizer()
        #expect(tokenizer.clean(text) == "")
        #expect(tokenizer.encode(text) == [])
        #expect(tokenizer.tokenize(text) == Self.emptyRow)
    }

    @Test func unusualCharactersEncodeWithoutLoss() throws {
        let tokenizer = try TokenizerFixtures.tokenizer()
        // Emoji (with modifiers and flags), CJK, noncharacters, private use, the last scalar:
        // each text is a single piece, so decoding gives it back followed by one space.
        let texts = ["😀🇫🇷👍🏽", "東京タワー", "\u{FFFF}\u{E000}\u{10FFFF}", String(Unicode.Scalar(0xFDD0)!) + "\u{1F9FF}"]
        for text in texts {
            let ids = tokenizer.encode(text)
            #expect(!ids.isEmpty)
            #expect(ids.allSatisfy { $0 >= 0 && Int($0) < CLIPTokenizer.vocabularySize })
            // Byte-level BPE loses nothing: the ids decode back to the cleaned text.
            #expect(tokenizer.decode(ids) == tokenizer.clean(text) + " ")
        }
        // Combining marks after a letter form a piece of their own (they are neither \p{L} nor \p{N}).
        #expect(tokenizer.decode(tokenizer.encode("a\u{301}\u{302}\u{303}")) == "\u{E1} \u{302}\u{303} ")
        #expect(tokenizer.encode("😀🇫🇷👍🏽") == [12832, 39109, 43722])
    }

    @Test func controlCharactersAreRemoved() throws {
        let tokenizer = try TokenizerFixtures.tokenizer()
        #expect(tokenizer.clean("\u{0}a\u{0}") == "a")
        #expect(tokenizer.encode("\u{0}") == [])
        #expect(tokenizer.clean("x\u{7}\u{8}y\u{1F}z") == "xyz")
    }

    @Test func literalSpecialTokensBecomeSpecialIDs() throws {
        let tokenizer = try TokenizerFixtures.tokenizer()
        #expect(tokenizer.encode("hello <end_of_text> world <start_of_text>") == [3306, CLIPTokenizer.endOfText, 1002, CLIPTokenizer.startOfText])
        // Lower-casing happens first, so any capitalisation works, also glued to other text.
        #expect(tokenizer.encode("<START_OF_TEXT>x<end_of_text>") == [CLIPTokenizer.startOfText, 343, CLIPTokenizer.endOfText])
        let row = tokenizer.tokenize("a <end_of_text> b")
        // FC-CLIP pools at the first end-of-text id, which is then the literal one.
        #expect(row.firstIndex(of: CLIPTokenizer.endOfText) == 2)
        #expect(row.prefix(5) == [CLIPTokenizer.startOfText, 320, CLIPTokenizer.endOfText, 321, CLIPTokenizer.endOfText])
    }

    @Test func truncationKeepsEndOfText() throws {
        let tokenizer = try TokenizerFixtures.tokenizer()
        let text = Array(repeating: "word", count: 100).joined(separator: " ")
        let bpe = tokenizer.encode(text)
        #expect(bpe.count == 100)
        let row = tokenizer.tokenize(text)
        #expect(row == [CLIPTokenizer.startOfText] + bpe.prefix(75) + [CLIPTokenizer.endOfText])
        let short = tokenizer.tokenize(text, contextLength: 10)
        #expect(short == [CLIPTokenizer.startOfText] + bpe.prefix(8) + [CLIPTokenizer.endOfText])
        let long = tokenizer.tokenize("a cat", contextLength: 100)
        #expect(long.count == 100)
        #expect(long.prefix(4) == [CLIPTokenizer.startOfText, 320, 2368, CLIPTokenizer.endOfText])
        #expect(tokenizer.tokenize("a cat", contextLength: 0) == [CLIPTokenizer.startOfText, CLIPTokenizer.endOfText])
        #expect(tokenizer.tokenize([String](), contextLength: 77).isEmpty)
    }

    @Test func tenThousandCharacterPromptIsTruncated() throws {
        let tokenizer = try TokenizerFixtures.tokenizer()
        let text = String(repeating: "a photo of a cat. ", count: 556)
        #expect(text.count == 10_008)
        var row: [Int32] = []
        let seconds = TokenizerFixtures.seconds { row = tokenizer.tokenize(text) }
        #expect(row.count == 77)
        #expect(row.first == CLIPTokenizer.startOfText)
        #expect(row.last == CLIPTokenizer.endOfText)
        #expect(Array(row[1...12]) == [320, 1125, 539, 320, 2368, 269, 320, 1125, 539, 320, 2368, 269])
        print("tokenizer: 10,008-character prompt in \(String(format: "%.2f", seconds * 1000)) ms")
    }

    /// A single 10,000-letter "word" (one pre-token) gives open_clip's tokens; the BPE is
    /// O(n log n), so it takes milliseconds (printed, not asserted).
    @Test func tenThousandLetterWordMatchesOpenCLIP() throws {
        let tokenizer = try TokenizerFixtures.tokenizer()
        var letters: [Int32] = [], cjk: [Int32] = []
        let seconds = TokenizerFixtures.seconds {
            letters = tokenizer.encode(String(repeating: "a", count: 10_000))
            cjk = tokenizer.encode(String(repeating: "東京", count: 5_000))
        }
        // open_clip's result for these inputs.
        #expect(letters.count == 1251)
        #expect(Set(letters) == [23126, 6727, 19336])
        #expect(letters.suffix(3) == [23126, 6727, 19336])
        #expect(cjk.count == 15000)
        #expect(cjk.prefix(6) == [48338, 21078, 105, 48338, 21078, 105])
        #expect(cjk.suffix(4) == [105, 48338, 21078, 361])
        print("tokenizer: 10,000-letter word and 10,000-character CJK run in \(String(format: "%.2f", seconds * 1000)) ms")
    }

    @Test func decodeIgnoresMarkersAndPaddingAndSurvivesBadIDs() throws {
        let tokenizer = try TokenizerFixtures.tokenizer()
        #expect(tokenizer.decode(Self.emptyRow) == "")
        #expect(tokenizer.decode([]) == "")
        #expect(tokenizer.decode([-1, 49_408, 1_000_000]) == "\u{FFFD}\u{FFFD}\u{FFFD}")
        #expect(tokenizer.decode([0, 1]) == "!\"")
        // Id 172 is the lone byte 0xF0, the start of a 4-byte character: U+FFFD, as in
        // open_clip's decode (errors="replace").
        #expect(tokenizer.decode([172]) == "\u{FFFD}")
    }

    @Test func concurrentUseGivesTheSameRows() async throws {
        let tokenizer = try TokenizerFixtures.tokenizer()
        let texts = TokenizerFixtures.cases.map(\.text)
        let expected = TokenizerFixtures.cases.map(\.ids)
        let results = await withTaskGroup(of: [[Int32]].self) { group in
            for _ in 0..<8 { group.addTask { tokenizer.tokenize(texts) } }
            var all: [[[Int32]]] = []
            for await rows in group { all.append(rows) }
            return all
        }
        #expect(results.count == 8)
        for rows in results { #expect(rows == expected) }
    }
}
