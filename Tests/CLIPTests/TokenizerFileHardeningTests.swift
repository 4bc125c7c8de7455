import CLIP
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The tokenizer vocabulary file: a capped decompressed size (a gzip bomb is an error, not a
/// memory spike) and regular files only (a FIFO, /dev/zero or a folder is named, never waited on).
@Suite struct TokenizerFileHardeningTests {
    /// `byteCount` zero bytes, gzip-compressed by the gzip tool (about 1 KB per MiB).
    private func gzipOfZeros(_ byteCount: Int, to path: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "head -c \(byteCount) /dev/zero | gzip -1 -c > '\(path)'"]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }

    @Test func gzipBombStopsAtTheCap() throws {
        let dir = try TokenizerFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let bomb = dir + "/bomb.txt.gz"
        try gzipOfZeros(70 << 20, to: bomb)
        let size = try #require(try FileManager.default.attributesOfItem(atPath: bomb)[.size] as? Int)
        #expect(size < 1 << 20)
        #expect(Gzip.maxDecompressedBytes == 64 << 20)
        let error = try #require(throws: Gzip.Error.self) { try Gzip.decompress(path: bomb) }
        #expect(error.description.hasPrefix("\(bomb): decompresses to more than 64 MiB, the most segd reads"))
        let tokenizerError = try #require(throws: CLIPTokenizerError.self) { try CLIPTokenizer(vocabularyPath: bomb) }
        #expect(tokenizerError.description.hasPrefix("\(bomb): cannot read the BPE vocabulary: decompresses to more than 64 MiB"))
    }

    @Test func capIsExactAndTheRealVocabularyFits() throws {
        let data = try Gzip.decompress(path: TokenizerFixtures.vocabularyPath)
        #expect(try Gzip.decompress(path: TokenizerFixtures.vocabularyPath, limit: data.count) == data)
        let error = try #require(throws: Gzip.Error.self) { try Gzip.decompress(path: TokenizerFixtures.vocabularyPath, limit: data.count - 1) }
        #expect(error.description.contains("decompresses to more than \(data.count - 1) bytes"))
    }

    @Test func specialFilesAreNamed() throws {
        let dir = try TokenizerFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let fifo = dir + "/fifo.txt.gz"
        #expect(mkfifo(fifo, 0o600) == 0)
        let fifoError = try withFIFOUnblocker(fifo) { try #require(throws: CLIPTokenizerError.self) { try CLIPTokenizer(vocabularyPath: fifo) } }
        #expect(fifoError.description
                == "\(fifo): cannot read the BPE vocabulary: is a FIFO (named pipe), not a regular file; give the path of the BPE vocabulary (bpe_simple_vocab_16e6.txt.gz)")
        let zero = try #require(throws: CLIPTokenizerError.self) { try CLIPTokenizer(vocabularyPath: "/dev/zero") }
        #expect(zero.description.contains("/dev/zero: cannot read the BPE vocabulary: is a character device, not a regular file"))
        let folder = try #require(throws: Gzip.Error.self) { try Gzip.decompress(path: dir) }
        #expect(folder.description == "\(dir): is a folder, not a regular file; give the path of the gzip file")
    }
}

/// Runs `body` while a helper thread keeps offering the FIFO at `path` a writer that closes at
/// once, so code that wrongly waits for a writer reads an empty file and fails its assertions
/// instead of hanging the test run.
private func withFIFOUnblocker<R>(_ path: String, _ body: () throws -> R) rethrows -> R {
    let lock = NSCondition()
    nonisolated(unsafe) var stop = false
    let thread = Thread {
        while true {
            lock.lock()
            if stop { lock.unlock(); return }
            _ = lock.wait(until: Date().addingTimeInterval(0.05))
            lock.unlock()
            let fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC)  // succeeds only while a reader waits
            if fd >= 0 { close(fd) }
        }
    }
    thread.start()
    defer {
        lock.lock()
        stop = true
        lock.signal()
        lock.unlock()
    }
    return try body()
}
