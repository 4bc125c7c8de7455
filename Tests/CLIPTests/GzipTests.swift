import CLIP
import Foundation
import Testing

/// The gzip reader on the real vocabulary and on damaged copies of it.
@Suite struct GzipTests {
    @Test func decompressesTheVocabulary() throws {
        let data = try Gzip.decompress(path: TokenizerFixtures.vocabularyPath)
        #expect(data.count == 3_194_984)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.hasPrefix("\"bpe_simple_vocab_16e6.txt#version: 0.2\ni n\nt h\na n\n"))
        #expect(data.filter { $0 == 0x0A }.count == 262_145)
        #expect(text.hasSuffix("\n"))
    }

    @Test func truncatedFileIsAnError() throws {
        let dir = try TokenizerFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let original = try Data(contentsOf: URL(fileURLWithPath: TokenizerFixtures.vocabularyPath))
        let path = dir + "/truncated.txt.gz"
        try original.prefix(original.count / 2).write(to: URL(fileURLWithPath: path))
        let error = try #require(throws: Gzip.Error.self) { try Gzip.decompress(path: path) }
        #expect(error.description.contains(path))
        #expect(error.description.contains("truncated"))
    }

    @Test func corruptedFileIsAnError() throws {
        let dir = try TokenizerFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: TokenizerFixtures.vocabularyPath)))
        for i in stride(from: bytes.count / 3, to: bytes.count / 3 + 4_000, by: 7) { bytes[i] ^= 0x5A }
        let path = dir + "/corrupt.txt.gz"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let error = try #require(throws: Gzip.Error.self) { try Gzip.decompress(path: path) }
        #expect(error.description.contains(path))
        #expect(error.description.contains("not a valid gzip file"))
    }

    @Test func missingAndNonGzipFilesAreErrors() throws {
        let dir = try TokenizerFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let missing = dir + "/missing.gz"
        let error = try #require(throws: Gzip.Error.self) { try Gzip.decompress(path: missing) }
        #expect(error.description == "\(missing): cannot open (missing or unreadable)")
        let plain = dir + "/plain.txt"
        try Data("not gzip at all".utf8).write(to: URL(fileURLWithPath: plain))
        #expect(throws: Gzip.Error.self) { try Gzip.decompress(path: plain) }
        let empty = dir + "/empty.gz"
        try Data().write(to: URL(fileURLWithPath: empty))
        #expect(throws: Gzip.Error.self) { try Gzip.decompress(path: empty) }
    }

    @Test func storedGzipFromTheTestHelperRoundTrips() throws {
        let dir = try TokenizerFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let payload = Data((0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        let path = dir + "/stored.gz"
        try TokenizerFixtures.gzipStored(payload).write(to: URL(fileURLWithPath: path))
        #expect(try Gzip.decompress(path: path) == payload)
    }
}
