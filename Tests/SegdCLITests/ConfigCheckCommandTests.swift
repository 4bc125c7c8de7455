import Foundation
import Testing

/// `segd config check` rejects, before the daemon starts, a stream that could never fit in memory.
@Suite struct ConfigCheckCommandTests {
    private func config(_ extra: String, inputs: String) throws -> String {
        let dir = NSTemporaryDirectory() + "segd-check-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/segd.yaml"
        try """
            model: \(SegdProcess.fixtures.path)/fcclip/tiny-a
            output_root: \(dir)/out
            socket_dir: \(dir)/run
            \(extra)
            streams:
              dock:
                url: rtsp://cam/1
                vocabulary: coco
            \(inputs)
            """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func aStreamThatCannotFitInMemoryIsReportedAtItsInputSize() throws {
        let path = try config("memory_limit_mb: 64", inputs: "    input_size: 4096\n    input_max_size: 8192")
        let result = try SegdProcess.run(["config", "check", path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("\(path):9: streams.dock.input_size: inputs up to 4096x8192 need about"), "\(result.stderr)")
        #expect(result.stderr.contains("more than memory_limit_mb (64) allows"), "\(result.stderr)")
    }

    @Test func theSummaryShowsEachStreamsWorkingMemory() throws {
        let path = try config("memory_limit_mb: 64", inputs: "    input_size: 256\n    input_max_size: 512")
        let result = try SegdProcess.run(["config", "check", path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("input 256..512") && result.stdout.contains("MiB working memory"), "\(result.stdout)")
    }

    @Test func outOfRangeValuesAreRejected() throws {
        let result = try SegdProcess.run(["config", "check", try config("threads: 100000", inputs: "    input_size: 1000000")])
        #expect(result.status == 1)
        #expect(result.stderr.contains("threads: must be from 1 to 256 (got 100000)"), "\(result.stderr)")
    }
}

extension ConfigCheckCommandTests {
    /// A bundle whose tokenizer vocabulary is damaged fails the check, as it would fail `serve`.
    @Test func aDamagedTokenizerFailsTheCheck() throws {
        let bundle = NSTemporaryDirectory() + "segd-check-bundle-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: bundle, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: bundle) }
        let tiny = SegdProcess.fixtures.path + "/fcclip/tiny-a"
        var json = try String(contentsOfFile: tiny + "/model.json", encoding: .utf8)
        json = json.replacingOccurrences(of: "../../tokenizer/bpe_simple_vocab_16e6.txt.gz", with: "vocab.txt.gz")
        try json.write(toFile: bundle + "/model.json", atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(atPath: tiny + "/weights.safetensors", toPath: bundle + "/weights.safetensors")
        // A gzip stream cut in half.
        let good = try Data(contentsOf: SegdProcess.fixtures.appendingPathComponent("tokenizer/bpe_simple_vocab_16e6.txt.gz"))
        try good.prefix(good.count / 2).write(to: URL(fileURLWithPath: bundle + "/vocab.txt.gz"))
        let path = try config("", inputs: "")
        var text = try String(contentsOfFile: path, encoding: .utf8)
        text = text.replacingOccurrences(of: tiny, with: bundle)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let result = try SegdProcess.run(["config", "check", path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("tokenizer vocabulary cannot be used"), "\(result.stderr)")
    }
}
