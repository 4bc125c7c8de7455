import Foundation
import Testing
import CLIP
import FCCLIP
import GoldenFixtures
import ModelIO
import Tensor

/// The whole model from the original uint8 image and the vocabulary file to the final
/// outputs, against every tensor the official run recorded (relative L2 ≤ 1e-4) and its
/// discrete outputs (identical).
@Suite struct SegmenterEndToEndTests {
    private func run(_ fixture: String) throws -> (GoldenFixture, Segmentation, TensorTrace) {
        let f = try GoldenFixture(fixture)
        let segmenter = try Segmenter(bundle: f.bundle)
        let vocabulary = try Vocabulary.load(path: GoldenFixture.root.appendingPathComponent("fcclip/\(fixture)/vocab.txt").path)
        let entry = try f.io.entry("input.image_orig_hwc_u8")
        let image = try RGBImage(width: entry.shape[1], height: entry.shape[0], pixels: Array(try f.io.rawBytes("input.image_orig_hwc_u8")))
        let trace = TensorTrace()
        let result = segmenter.segment(image, vocabulary: vocabulary, trace: trace)
        return (f, result, trace)
    }

    @Test(arguments: ["tiny-a", "tiny-b"])
    func everyRecordedTensorMatches(fixture: String) throws {
        let (f, _, trace) = try run(fixture)
        var compared = 0
        for name in trace.names.sorted() {
            guard let entry = f.io.entries[name], entry.dtype == .f32, let got = trace.tensor(name) else { continue }
            let want = try f.reference(name)
            #expect(got.count == want.count, "\(name): \(got.shape) vs \(want.shape)")
            guard got.count == want.count else { continue }
            #expect(parity(fixture, "end-to-end \(name)", got.reshaped(want.shape), want) <= 1e-4)
            compared += 1
        }
        // Backbone, pixel decoder, decoder heads, CLIP pooling, ensemble and post-processing.
        #expect(compared >= 60, "only \(compared) tensors compared")
    }

    @Test(arguments: ["tiny-a", "tiny-b"])
    func discreteOutputsAreIdentical(fixture: String) throws {
        let (f, result, _) = try run(fixture)
        let panoptic = try #require(result.panoptic)
        #expect(panoptic.ids.map { Int64($0) } == (try f.integers("output.panoptic_seg")))
        let ids = try f.integers("output.segments.id"), categories = try f.integers("output.segments.category_id")
        let things = try f.integers("output.segments.isthing")
        #expect(panoptic.segments.map { Int64($0.id) } == ids)
        #expect(panoptic.segments.map { Int64($0.category) } == categories)
        #expect(panoptic.segments.map { $0.isThing ? Int64(1) : 0 } == things)

        // Semantic argmax (first class on ties, as torch.argmax).
        let semantic = try #require(result.semantic)
        let scores = try f.reference("output.sem_seg")      // [K, H, W]
        let (k, hw) = (scores.shape[0], scores.shape[1] * scores.shape[2])
        let s = scores.scalars
        let argmax: [Int32] = (0..<hw).map { p in
            var best = 0
            for c in 1..<k where s[c * hw + p] > s[best * hw + p] { best = c }
            return Int32(best)
        }
        #expect(semantic.labels == argmax)

        // Instances as a set of (class, mask) pairs.
        let instances = try #require(result.instances)
        let wantClasses = try f.integers("output.instances.pred_classes")
        #expect(instances.map { Int64($0.category) }.sorted() == wantClasses.sorted())
    }
}
