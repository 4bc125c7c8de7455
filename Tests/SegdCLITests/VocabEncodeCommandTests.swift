import Foundation
import Testing
import TestSupport

/// `segd vocab encode` fills the text classifier cache; `segd segment` and `segd serve` use it.
@Suite struct VocabEncodeCommandTests {
    private static let tinyA = SegdProcess.fixtures.appendingPathComponent("fcclip/tiny-a")

    private static func scratch(_ name: String) -> String {
        NSTemporaryDirectory() + "segd-\(name)-" + UUID().uuidString.prefix(8)
    }

    private static func entries(_ cache: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: cache + "/text-embeddings")) ?? []).filter { $0.hasSuffix(".emb") }
    }

    @Test func encodeFillsTheCacheAndALaterSegmentRunFindsEveryEntry() throws {
        let cache = Self.scratch("cache"), out = Self.scratch("out")
        defer { for p in [cache, out] { try? FileManager.default.removeItem(atPath: p) } }
        let encode = ["vocab", "encode", "--model", Self.tinyA.path, "--vocab", "coco", "--cache-dir", cache, "--threads", "1"]
        let cold = try SegdProcess.run(encode)
        #expect(cold.status == 0, "\(cold.stderr)")
        #expect(cold.stdout.contains("coco: 133 classes, 254 synonyms: 0 found, 254 computed (3556 prompts), 254 written"), "\(cold.stdout)")
        #expect(Self.entries(cache).count == 254)
        let warm = try SegdProcess.run(encode + ["--vocab", "thing: person; forklift"])
        #expect(warm.status == 0, "\(warm.stderr)")
        #expect(warm.stdout.contains("coco: 133 classes, 254 synonyms: 254 found, 0 computed (0 prompts), 0 written"), "\(warm.stdout)")
        #expect(warm.stdout.contains("thing: person; forklift: 2 classes, 2 synonyms: 1 found, 1 computed (14 prompts), 1 written"),
                "\(warm.stdout)")

        let segment = try SegdProcess.run(["segment", Self.tinyA.appendingPathComponent("image.png").path, "--model", Self.tinyA.path,
                                           "--vocab", "coco", "--out", out, "--cache-dir", cache, "--threads", "1"])
        #expect(segment.status == 0, "\(segment.stderr)")
        #expect(segment.stderr.contains("vocabulary: 133 classes, 254 synonyms, 254 from the text cache, 0 encoded in"), "\(segment.stderr)")
        #expect(FileManager.default.fileExists(atPath: out + "/image.panoptic.png"))
    }

    @Test func twoProcessesFillingOneFolderAtOnceLeaveItWhole() throws {
        let cache = Self.scratch("cache")
        defer { try? FileManager.default.removeItem(atPath: cache) }
        let encode = ["vocab", "encode", "--model", Self.tinyA.path, "--vocab", "coco", "--vocab", "ade20k", "--cache-dir", cache,
                      "--threads", "1"]
        let first = try SegdProcess.start(encode), second = try SegdProcess.start(encode)
        first.waitUntilExit()
        second.waitUntilExit()
        #expect(first.terminationStatus == 0 && second.terminationStatus == 0)
        let check = try SegdProcess.run(encode)
        #expect(check.status == 0, "\(check.stderr)")
        #expect(check.stdout.contains("coco: 133 classes, 254 synonyms: 254 found, 0 computed"), "\(check.stdout)")
        #expect(!check.stdout.contains("damaged"), "\(check.stdout)")
        #expect(!(try FileManager.default.contentsOfDirectory(atPath: cache + "/text-embeddings")).contains { $0.hasPrefix(".tmp-") })
    }

    @Test func aFullDiskNeverFailsSegmentationButFailsEncode() throws {
        guard let disk = SmallDisk.mount(kilobytes: 16) else {
            print("skipped: mounting a tmpfs needs root")
            return
        }
        defer { disk.unmount() }
        let out = Self.scratch("out")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let segment = try SegdProcess.run(["segment", Self.tinyA.appendingPathComponent("image.png").path, "--model", Self.tinyA.path,
                                           "--vocab", "coco", "--out", out, "--cache-dir", disk.path + "/segd", "--threads", "1"])
        #expect(segment.status == 0, "\(segment.stderr)")
        let warnings = segment.stderr.components(separatedBy: "text classifier cache:").count - 1
        #expect(warnings == 1, "\(segment.stderr)")
        #expect(segment.stderr.contains("computed in memory"))
        #expect(FileManager.default.fileExists(atPath: out + "/image.panoptic.png"))

        let encode = try SegdProcess.run(["vocab", "encode", "--model", Self.tinyA.path, "--vocab", "coco", "--cache-dir", disk.path + "/segd"])
        #expect(encode.status == 1)
        #expect(encode.stderr.contains("could not be written to \(disk.path)/segd/text-embeddings"), "\(encode.stderr)")
    }

    @Test func badOptionsAreClearErrors() throws {
        let zero = try SegdProcess.run(["vocab", "encode", "--model", Self.tinyA.path, "--vocab", "coco", "--cache-max-mb", "0"])
        #expect(zero.status != 0 && zero.stderr.contains("--cache-max-mb must be from 1 to 1048576"), "\(zero.stderr)")
        let none = try SegdProcess.run(["vocab", "encode", "--model", Self.tinyA.path])
        #expect(none.status != 0 && none.stderr.contains("--vocab"), "\(none.stderr)")
        let badModel = try SegdProcess.run(["vocab", "encode", "--model", "/nonexistent/bundle", "--vocab", "coco", "--cache-dir", "/tmp/x"])
        #expect(badModel.status != 0 && badModel.stderr.contains("/nonexistent/bundle"), "\(badModel.stderr)")
    }

    /// The daemon keeps its classifiers in $CACHE_DIRECTORY (systemd's CacheDirectory=): a
    /// stream's vocabulary and a `segd ctl vocab` change both land there.
    @Test func theDaemonSharesTheCacheWithControlVocabularyChanges() throws {
        let dir = Self.scratch("serve-cache")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let clip = dir + "/clip.mp4"
        try TestMedia.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=160x120:rate=15", "-frames:v", "300",
                              "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", clip])
        let daemon = try DaemonHarness(streams: "  dock:\n    url: \(clip)\n    vocabulary: \"thing: cat; stuff: wall\"\n    fps: 2\n")
        try daemon.waitUntil("records") { daemon.records("dock").count >= 1 }
        #expect(daemon.log.contains("text classifier cache: \(daemon.root)/cache"), "\(daemon.log)")
        #expect(Self.entries(daemon.root + "/cache").count == 2)
        let vocab = try SegdProcess.run(["ctl", "--socket", daemon.root + "/run/control.sock", "vocab", "dock", "thing: cat; dog; stuff: wall"])
        #expect(vocab.status == 0, "\(vocab.stderr)")
        try daemon.waitUntil("the new vocabulary's entry") { Self.entries(daemon.root + "/cache").count == 3 }
        #expect(daemon.stop(SIGTERM) == 0, "\(daemon.log)")
    }
}
