import Foundation
import LabelStream
import Media
import ModelIO
import Testing

/// `segd segment` on the golden fixture image, checked against the official outputs.
@Suite struct SegmentCommandTests {
    private static let tinyA = SegdProcess.fixtures.appendingPathComponent("fcclip/tiny-a")

    @Test func writesOfficialPanopticAndKeepsGoingAfterABadImage() throws {
        let out = NSTemporaryDirectory() + "segd-segment-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: out) }
        let image = Self.tinyA.appendingPathComponent("image.png").path
        let r = try SegdProcess.run(["segment", "/nonexistent/a.png", image, "--model", Self.tinyA.path,
                                     "--vocab", "@" + Self.tinyA.appendingPathComponent("vocab.txt").path, "--out", out, "--threads", "1"])
        // One image failed (named, exit status 1); the good one was still written.
        #expect(r.status == 1)
        #expect(r.stderr.contains("/nonexistent/a.png: skipped: /nonexistent/a.png: cannot open"))
        #expect(r.stderr.contains("1 of 2 images failed"))

        let io = try SafeTensorsFile(path: Self.tinyA.appendingPathComponent("io.safetensors").path)
        // The panoptic PNG holds exactly the official id map (COCO RGB encoding).
        let png = try ImageDecoder.decode(path: out + "/image.panoptic.png")
        #expect(PanopticPNG.ids(rgb: png.pixels).map { Int64($0) } == (try io.integers("output.panoptic_seg").values))
        // The JSON record lists the official segments, and each RLE decodes to its id's pixels.
        let line = try String(contentsOfFile: out + "/image.json", encoding: .utf8)
        let record = try JSONDecoder().decode(FrameRecord.self, from: Data(line.utf8))
        #expect(record.segments.map { Int64($0.id) } == (try io.integers("output.segments.id").values))
        #expect(record.segments.map { Int64($0.category) } == (try io.integers("output.segments.category_id").values))
        #expect(record.width == 125 && record.height == 83)
        let ids = try io.integers("output.panoptic_seg").values
        for segment in record.segments {
            let mask = try segment.rle.decoded().decode()      // row-major 0/1
            #expect(mask.count == ids.count)
            #expect(zip(mask, ids).allSatisfy { ($0 == 1) == ($1 == Int64(segment.id)) }, "segment \(segment.id)")
            #expect(segment.area == ids.filter { $0 == Int64(segment.id) }.count)
        }
        for suffix in ["semantic.png", "overlay.png"] {
            #expect(FileManager.default.fileExists(atPath: out + "/image." + suffix))
        }
    }

    @Test func dumpTensorsWritesFixtureNames() throws {
        let out = NSTemporaryDirectory() + "segd-dump-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: out) }
        let r = try SegdProcess.run(["segment", Self.tinyA.appendingPathComponent("image.png").path, "--model", Self.tinyA.path,
                                     "--vocab", "@" + Self.tinyA.appendingPathComponent("vocab.txt").path, "--out", out,
                                     "--dump-tensors", out + "/dump.safetensors"])
        #expect(r.status == 0, "\(r.stderr)")
        let dump = try SafeTensorsFile(path: out + "/dump.safetensors")
        let io = try SafeTensorsFile(path: Self.tinyA.appendingPathComponent("io.safetensors").path)
        for name in ["backbone.res5", "pixel_decoder.mask_features", "decoder.pred_logits", "ensemble.mask_cls_probs", "post.mask_pred"] {
            #expect(dump.entries[name]?.shape == io.entries[name]?.shape, "\(name)")
        }
    }

    @Test func badArgumentsAreClearErrors() throws {
        let noVocab = try SegdProcess.run(["segment", "x.png", "--model", Self.tinyA.path, "--vocab", "@/nonexistent/v.txt", "--out", "/tmp/x"])
        #expect(noVocab.status != 0 && noVocab.stderr.contains("/nonexistent/v.txt"))
        let badModel = try SegdProcess.run(["segment", "x.png", "--model", "/nonexistent/bundle", "--vocab", "coco", "--out", "/tmp/x"])
        #expect(badModel.status != 0 && badModel.stderr.contains("/nonexistent/bundle: model bundle folder not found"))
    }
}

/// Unusual but valid images and bad inputs, end to end through the CLI.
@Suite struct SegmentCommandInputTests {
    private static let tinyA = SegdProcess.fixtures.appendingPathComponent("fcclip/tiny-a")

    /// Makes an image with the ffmpeg command-line tool.
    private func makeImage(_ path: String, size: String, pixelFormat: String) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=\(size)", "-frames:v", "1", "-pix_fmt", pixelFormat, path]
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "ffmpeg could not make \(path); is ffmpeg installed (tools/bootstrap.sh)?")
    }

    @Test func tinyGrayscaleAnd16BitImagesAreSegmentedAtTheirOwnSize() throws {
        let dir = NSTemporaryDirectory() + "segd-inputs-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try makeImage(dir + "/one.png", size: "1x1", pixelFormat: "rgb24")
        try makeImage(dir + "/gray16.png", size: "41x29", pixelFormat: "gray16be")
        let r = try SegdProcess.run(["segment", dir + "/one.png", dir + "/gray16.png", "--model", Self.tinyA.path,
                                     "--vocab", "thing: person; car; stuff: sky, clouds", "--out", dir + "/out", "--threads", "1"])
        #expect(r.status == 0, "\(r.stderr)")
        for (name, w, h) in [("one", 1, 1), ("gray16", 41, 29)] {
            let line = try String(contentsOfFile: dir + "/out/\(name).json", encoding: .utf8)
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            #expect(object["width"] as? Int == w && object["height"] as? Int == h, "\(name)")
        }
    }

    @Test func emptyVocabularyAndMismatchedBundleAreClearErrors() throws {
        let empty = try SegdProcess.run(["segment", "x.png", "--model", Self.tinyA.path, "--vocab", " ; ", "--out", "/tmp/segd-never"])
        #expect(empty.status != 0)
        #expect(empty.stderr.lowercased().contains("vocabulary"), "\(empty.stderr)")

        // A bundle whose model.json asks for more queries than the weights have.
        let dir = NSTemporaryDirectory() + "segd-mismatch-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var config = try JSONSerialization.jsonObject(with: Data(contentsOf: Self.tinyA.appendingPathComponent("model.json"))) as! [String: Any]
        var decoder = config["transformer_decoder"] as! [String: Any]
        decoder["num_queries"] = 12
        config["transformer_decoder"] = decoder
        config["weights"] = Self.tinyA.appendingPathComponent("weights.safetensors").path
        config["tokenizer"] = SegdProcess.fixtures.appendingPathComponent("tokenizer/bpe_simple_vocab_16e6.txt.gz").path
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: dir + "/model.json"))
        let r = try SegdProcess.run(["segment", "x.png", "--model", dir, "--vocab", "coco", "--out", dir + "/out"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("sem_seg_head.predictor.query_feat.weight' has shape 10x32, expected 12x32"), "\(r.stderr)")
    }
}
