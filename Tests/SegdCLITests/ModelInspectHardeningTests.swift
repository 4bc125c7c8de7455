import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `segd model inspect` on hostile bundles: every problem is a message and exit status 1,
/// never a crash, a hang or "bundle is complete".
@Suite struct ModelInspectHardeningTests {
    private let tinyA = SegdProcess.fixtures.appendingPathComponent("fcclip/tiny-a").path
    private let vocabulary = SegdProcess.fixtures.appendingPathComponent("tokenizer/bpe_simple_vocab_16e6.txt.gz").path

    /// A bundle folder with tiny-a's model.json edited by `edit` (weights and tokenizer absolute).
    private func bundle(weights: String? = nil, tokenizer: String? = nil, edit: (String) -> String = { $0 }) throws -> String {
        let dir = NSTemporaryDirectory() + "segd-inspect-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var text = try String(contentsOfFile: tinyA + "/model.json", encoding: .utf8)
        text = text.replacingOccurrences(of: "\"weights.safetensors\"", with: "\"\(weights ?? tinyA + "/weights.safetensors")\"")
            .replacingOccurrences(of: "\"../../tokenizer/bpe_simple_vocab_16e6.txt.gz\"", with: "\"\(tokenizer ?? vocabulary)\"")
        try Data(edit(text).utf8).write(to: URL(fileURLWithPath: dir + "/model.json"))
        return dir
    }

    private func expectFailure(_ dir: String, _ fragment: String, in stream: KeyPath<SegdProcess.Result, String> = \.stderr,
                               sourceLocation: SourceLocation = #_sourceLocation) throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try SegdProcess.run(["model", "inspect", dir])
        #expect(r.status == 1, "status \(r.status): \(r.stderr)", sourceLocation: sourceLocation)
        #expect(r[keyPath: stream].contains(fragment), "\(r.stdout)\n\(r.stderr)", sourceLocation: sourceLocation)
        #expect(!r.stdout.contains("bundle is complete"), sourceLocation: sourceLocation)
    }

    @Test func hugeAndUnboundedValuesAreErrors() throws {
        try expectFailure(bundle { $0.replacingOccurrences(of: #""encoder_points": 4"#, with: #""encoder_points": 4611686018427387904"#) },
                          "pixel_decoder.encoder_points: 4611686018427387904 is too large: at most 1024")
        try expectFailure(bundle { $0.replacingOccurrences(of: "\"depths\": [\n        1,", with: "\"depths\": [\n        1000000000,") },
                          "clip.vision.depths[0]: 1000000000 is too large")
        try expectFailure(bundle { $0.replacingOccurrences(of: "\"depths\": [\n        1,", with: "\"depths\": [\n        1000,") },
                          "clip.vision.depths: implies more than 1251 tensors, but weights.safetensors holds 227 tensors")
        try expectFailure(bundle { $0.replacingOccurrences(of: #""kernel_size": 7"#, with: #""kernel_size": 184467440737095516150"#) },
                          "clip.vision.kernel_size: 184467440737095516150 is out of range")
        try expectFailure(bundle { $0.replacingOccurrences(of: #""name": "tiny-a","#, with: #""name": "tiny-a", "name": "tiny-b","#) },
                          "model.json: name: is given twice in the same object")
    }

    @Test func weightsThatAreNotRegularFilesAreNamed() throws {
        let fifoDir = try bundle(weights: "fifo")
        #expect(mkfifo(fifoDir + "/fifo", 0o600) == 0)
        try withFIFOUnblocker(fifoDir + "/fifo") {
            try expectFailure(fifoDir, "fifo: is a FIFO (named pipe), not a regular file; give the path of the weights file")
        }
        try expectFailure(bundle(weights: "/dev/zero"), "/dev/zero: is a character device, not a regular file")
        let folderDir = try bundle(weights: "folder")
        try FileManager.default.createDirectory(atPath: folderDir + "/folder", withIntermediateDirectories: false)
        try expectFailure(folderDir, "folder: is a folder, not a regular file")
    }

    @Test func damagedTokenizerMakesInspectFail() throws {
        let dir = NSTemporaryDirectory() + "segd-inspect-vocab-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let original = try Data(contentsOf: URL(fileURLWithPath: vocabulary))
        try original.prefix(original.count / 2).write(to: URL(fileURLWithPath: dir + "/truncated.txt.gz"))
        try expectFailure(bundle(tokenizer: dir + "/truncated.txt.gz"), "tokenizer vocabulary cannot be loaded: ", in: \.stdout)
        try expectFailure(bundle(tokenizer: dir + "/truncated.txt.gz"), "truncated", in: \.stdout)

        // A gzip bomb: 70 MiB of zeros in about 70 KB.
        let bomb = dir + "/bomb.txt.gz"
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/sh")
        gzip.arguments = ["-c", "head -c \(70 << 20) /dev/zero | gzip -1 -c > '\(bomb)'"]
        try gzip.run()
        gzip.waitUntilExit()
        try expectFailure(bundle(tokenizer: bomb), "decompresses to more than 64 MiB", in: \.stdout)

        let jsonBundle = try bundle(tokenizer: dir + "/truncated.txt.gz")
        defer { try? FileManager.default.removeItem(atPath: jsonBundle) }
        let json = try SegdProcess.run(["model", "inspect", "--json", jsonBundle])
        #expect(json.status == 1)
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as! [String: Any]
        #expect(object["complete"] as? Bool == false)
        #expect(object["weights_complete"] as? Bool == true)
        #expect((object["tokenizer_error"] as? String)?.contains("truncated") == true)
    }
}

/// Runs `body` while a helper thread keeps offering the FIFO at `path` a writer that closes at
/// once, so a segd that wrongly waits for a writer reads an empty file and fails the test's
/// assertions instead of hanging the run.
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
