import CLIP
import Foundation
import Testing

/// Loading the vocabulary (its time printed), and a clear error naming the file for every kind of bad file.
@Suite struct TokenizerLoadingTests {
    @Test func loadsTheVocabulary() throws {
        var tokenizer: CLIPTokenizer?
        let seconds = try TokenizerFixtures.seconds { tokenizer = try CLIPTokenizer(vocabularyPath: TokenizerFixtures.vocabularyPath) }
        #expect(tokenizer?.tokenize("a photo of a wall.").prefix(8) == [49406, 320, 1125, 539, 320, 2569, 269, 49407])
        print("tokenizer: vocabulary loaded in \(String(format: "%.1f", seconds * 1000)) ms")
    }

    /// Writes `content` gzip-compressed (stored) to a temporary file and loads it.
    private func loadError(_ content: Data) throws -> (CLIPTokenizerError, String) {
        let dir = try TokenizerFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/vocab.txt.gz"
        try TokenizerFixtures.gzipStored(content).write(to: URL(fileURLWithPath: path))
        let error = try #require(throws: CLIPTokenizerError.self) { try CLIPTokenizer(vocabularyPath: path) }
        #expect(error.description.hasPrefix(path + ": "))
        return (error, error.description)
    }

    private func vocabularyLines() throws -> [Substring] {
        let data = try Gzip.decompress(path: TokenizerFixtures.vocabularyPath)
        return String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
    }

    @Test func missingFileIsNamed() throws {
        let path = "/nonexistent/folder/bpe_simple_vocab_16e6.txt.gz"
        let error = try #require(throws: CLIPTokenizerError.self) { try CLIPTokenizer(vocabularyPath: path) }
        #expect(error == .unreadable(path: path, reason: "the file is missing or unreadable"))
        #expect(error.description == "\(path): cannot read the BPE vocabulary: the file is missing or unreadable")
    }

    @Test func truncatedAndNonGzipFilesAreNamed() throws {
        let dir = try TokenizerFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let original = try Data(contentsOf: URL(fileURLWithPath: TokenizerFixtures.vocabularyPath))
        let truncated = dir + "/truncated.gz"
        try original.prefix(100_000).write(to: URL(fileURLWithPath: truncated))
        let error = try #require(throws: CLIPTokenizerError.self) { try CLIPTokenizer(vocabularyPath: truncated) }
        #expect(error.description.hasPrefix(truncated + ": cannot read the BPE vocabulary: not a valid gzip file"))
        #expect(error.description.contains("truncated"))

        let plain = dir + "/vocab.txt"
        try Data("i n\nt h\n".utf8).write(to: URL(fileURLWithPath: plain))
        let plainError = try #require(throws: CLIPTokenizerError.self) { try CLIPTokenizer(vocabularyPath: plain) }
        #expect(plainError.description.hasPrefix(plain + ": cannot read the BPE vocabulary: not a valid gzip file"))
    }

    @Test func wrongContentIsRejected() throws {
        let (_, tooShort) = try loadError(Data("#version: 0.2\ni n\nt h\n".utf8))
        #expect(tooShort.contains("not open_clip's BPE vocabulary"))
        #expect(tooShort.contains("it has 3 merge lines after the header, 48894 are needed"))

        let (_, notText) = try loadError(Data([0x23, 0xFF, 0xFE, 0x0A]))
        #expect(notText.contains("not UTF-8 text"))
    }

    @Test func damagedMergeListIsRejected() throws {
        var lines = try vocabularyLines()
        lines[5] = "a b c"
        let (_, threeFields) = try loadError(Data(lines.joined(separator: "\n").utf8))
        #expect(threeFields.contains("line 6 should hold two symbols separated by a space, found \"a b c\""))

        lines = try vocabularyLines()
        lines.remove(at: 1)  // "i n": later merges use "in" before any line makes it
        let (_, undefined) = try loadError(Data(lines.joined(separator: "\n").utf8))
        #expect(undefined.contains("but a symbol is neither a byte symbol nor made by an earlier merge"))

        lines = try vocabularyLines()
        lines[10] = lines[1]
        let (_, duplicate) = try loadError(Data(lines.joined(separator: "\n").utf8))
        #expect(duplicate.contains("line 11 makes \"in\" a second time"))
    }

    @Test func onlyTheUsedMergesMatter() throws {
        // open_clip reads lines 1...48894 only: what follows them does not change anything.
        var lines = try vocabularyLines()
        lines.removeSubrange(48_895...)
        let dir = try TokenizerFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/vocab.txt.gz"
        try TokenizerFixtures.gzipStored(Data(lines.joined(separator: "\n").utf8)).write(to: URL(fileURLWithPath: path))
        let tokenizer = try CLIPTokenizer(vocabularyPath: path)
        #expect(tokenizer.tokenize(TokenizerFixtures.cases.map(\.text)) == TokenizerFixtures.cases.map(\.ids))
    }
}
