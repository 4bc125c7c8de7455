import CLIP
import FCCLIP
import ModelIO
import Pipeline
import Testing

@Suite struct FrameSegmentingTests {
    /// The real segmenter, used through the pipeline's protocol, gives the same segmentation as a
    /// direct call (the protocol adds nothing of its own).
    @Test func segmenterConformsWithoutChangingResults() throws {
        let bundle = try ModelBundle(directory: PipelineFixtures.tinyBundle)
        let segmenter = try Segmenter(bundle: bundle)
        let image = try RGBImage(width: 40, height: 30, pixels: (0..<(40 * 30 * 3)).map { UInt8(($0 * 7) % 256) })
        let vocabulary = try Vocabulary.resolve("thing: cat; sky; dog")
        let direct = segmenter.segment(image, vocabulary: vocabulary, trace: nil)
        let model: any FrameSegmenting = segmenter
        model.prepare(vocabulary: vocabulary)
        let viaProtocol = model.segment(image, vocabulary: vocabulary)
        #expect(viaProtocol.panoptic?.ids == direct.panoptic?.ids)
        #expect(viaProtocol.width == 40 && viaProtocol.height == 30)
    }
}
