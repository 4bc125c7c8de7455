import CLIP
import Foundation
import Testing

/// Vocabulary files that are not regular files: clear errors, and never a wait.
@Suite struct VocabularyFileTests {
    @Test func aFIFOIsRefusedWithoutWaitingForAWriter() throws {
        let dir = try VocabularyTempFile("")
        let fifo = (dir.path as NSString).deletingLastPathComponent + "/classes.fifo"
        #expect(mkfifo(fifo, 0o600) == 0)
        let e = vocabularyError { try Vocabulary.load(path: fifo) }
        #expect(e?.kind == .unreadableFile)
        #expect(e?.description == "\(fifo): is a FIFO (named pipe), not a regular file; give the path of the vocabulary file")
        #expect(vocabularyError { try Vocabulary.resolve("@" + fifo) }?.kind == .unreadableFile)
    }

    @Test func aDeviceIsRefused() {
        let e = vocabularyError { try Vocabulary.load(path: "/dev/zero") }
        #expect(e?.kind == .unreadableFile)
        #expect(e?.description == "/dev/zero: is a character device, not a regular file; give the path of the vocabulary file")
    }

    @Test func aDirectoryIsNamedAsSuch() throws {
        let file = try VocabularyTempFile("")
        let dir = (file.path as NSString).deletingLastPathComponent
        #expect(vocabularyError { try Vocabulary.load(path: dir) }?.description
            == "\(dir): is a folder, not a regular file; give the path of the vocabulary file")
    }

    @Test func aMissingFileSaysSo() {
        #expect(vocabularyError { try Vocabulary.load(path: "/nonexistent/vocab.txt") }?.description
            == "/nonexistent/vocab.txt: vocabulary file not found")
    }

    @Test func aFileIsReadWholeAndParsedLikeItsBytes() throws {
        let text = "# mine\r\nstuff: puddle, spill\nforklift"
        let file = try VocabularyTempFile(text)
        let loaded = try Vocabulary.load(path: file.path)
        #expect(loaded == (try Vocabulary.parse(utf8: Array(text.utf8), source: "x")))
        #expect(loaded.names == ["puddle", "forklift"])
    }
}
