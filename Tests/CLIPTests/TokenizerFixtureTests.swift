import CLIP
import Testing

/// The tokenizer against open_clip's own output: tokenizer/cases.json (68 tricky strings) and
/// the 10 prompts of spec/fcclip-tokenizer-samples.json.
@Suite struct TokenizerFixtureTests {
    @Test func fixtureFileIsComplete() throws {
        let file = try #require(TokenizerFixtures.casesFile, "cannot read tokenizer/cases.json")
        #expect(file.cases.count == 68)
        #expect(file.contextLength == CLIPTokenizer.contextLength)
        #expect(file.sotTokenID == CLIPTokenizer.startOfText)
        #expect(file.eotTokenID == CLIPTokenizer.endOfText)
        #expect(file.vocabSize == CLIPTokenizer.vocabularySize)
        #expect(file.padID == 0)
        #expect(TokenizerFixtures.samples.count == 10)
    }

    @Test(arguments: TokenizerFixtures.cases)
    func cleaningMatchesOpenCLIP(_ fixture: TokenizerCase) throws {
        let tokenizer = try TokenizerFixtures.tokenizer()
        #expect(tokenizer.clean(fixture.text) == fixture.cleaned)
    }

    @Test(arguments: TokenizerFixtures.cases)
    func encodingMatchesOpenCLIP(_ fixture: TokenizerCase) throws {
        let tokenizer = try TokenizerFixtures.tokenizer()
        #expect(tokenizer.encode(fixture.text) == fixture.bpeIDs)
    }

    @Test(arguments: TokenizerFixtures.cases)
    func rowMatchesOpenCLIP(_ fixture: TokenizerCase) throws {
        let tokenizer = try TokenizerFixtures.tokenizer()
        let row = tokenizer.tokenize(fixture.text)
        #expect(row == fixture.ids)
        #expect(fixture.truncated == (fixture.bpeIDs.count + 2 > CLIPTokenizer.contextLength))
    }

    @Test(arguments: TokenizerFixtures.samples)
    func samplePromptMatchesOpenCLIP(_ sample: TokenizerSample) throws {
        let tokenizer = try TokenizerFixtures.tokenizer()
        let row = tokenizer.tokenize(sample.text)
        #expect(row.count == CLIPTokenizer.contextLength)
        #expect(Array(row.prefix(sample.ids.count)) == sample.ids)
        #expect(row.dropFirst(sample.ids.count).allSatisfy { $0 == 0 })
        // FC-CLIP pools the text feature at the first end-of-text id.
        #expect(row.firstIndex(of: CLIPTokenizer.endOfText) == sample.eotIndex)
    }

    @Test func batchTokenizationMatchesSingleRows() throws {
        let tokenizer = try TokenizerFixtures.tokenizer()
        let texts = TokenizerFixtures.cases.map(\.text)
        let rows = tokenizer.tokenize(texts)
        #expect(rows == TokenizerFixtures.cases.map(\.ids))
    }

    @Test func decodeJoinsWordsWithSpaces() throws {
        let tokenizer = try TokenizerFixtures.tokenizer()
        #expect(tokenizer.decode(tokenizer.tokenize("A Photo of a CAT.")) == "a photo of a cat . ")
        #expect(tokenizer.decode(tokenizer.encode("crème brûlée 東京")) == "crème brûlée 東京 ")
    }
}
