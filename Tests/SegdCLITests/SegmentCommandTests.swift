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
