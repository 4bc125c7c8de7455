import Testing
import CLIP
import FCCLIP
import ModelIO
import Tensor
import GoldenFixtures

/// The masked-attention decoder against the official FC-CLIP tensors, fed with the
/// official pixel-decoder outputs and a classifier built from the official prompt features.
@Suite struct MaskDecoderParityTests {
    static let tolerance = 1e-4

    struct Run {
        let fixture: GoldenFixture
        let output: MaskDecoderOutput
        let trace: TensorTrace
    }

    static func run(_ name: String, attentionMasks: MaskDecoder.AttentionMaskSource = .resizedMaskLogits,
                    traced: Bool = true) throws -> Run {
        let f = try GoldenFixture(name)
        let config = f.bundle.config
        let classifier = TextClassifier(promptFeatures: try f.reference("text.prompt_features"), templatesPerSynonym: 14,
                                        synonymCounts: try f.integers("text.num_templates").map { Int($0) },
                                        voidEmbedding: try f.bundle.weights.tensor("void_embedding.weight", [1, config.clip.embedDim]))
        let decoder = try MaskDecoder(f.bundle.weights.scoped("sem_seg_head.predictor"), config: config, attentionMasks: attentionMasks)
        let multiScale = try (0..<3).map { try f.referenceNHWC("pixel_decoder.multi_scale_features.\($0)") }
        let trace = TensorTrace()
        let out = decoder(multiScale: multiScale, maskFeatures: try f.referenceNHWC("pixel_decoder.mask_features"),
                          classifier: classifier, trace: traced ? trace : nil)
        return Run(fixture: f, output: out, trace: trace)
    }

    /// Every fixture name the decoder traces, for a decoder of `layers` layers.
    static func tracedNames(layers: Int) -> [String] {
        var names = ["decoder.pred_logits", "decoder.pred_masks", "decoder.pos.0", "decoder.pos.1", "decoder.pos.2"]
        for i in 0...layers {
            names += ["decoder.head.\(i).maskpool", "decoder.head.\(i).maskpool_proj", "decoder.head.\(i).class_embed"]
        }
        for i in 0..<layers {
            names += ["decoder.layer.\(i).output_QBC", "decoder.aux.\(i).pred_logits", "decoder.aux.\(i).pred_masks"]
        }
        return names
    }

    @Test(arguments: ["tiny-a", "tiny-b"])
    func everyTracedTensorMatches(fixture: String) throws {
        let r = try Self.run(fixture)
        let layers = r.fixture.bundle.config.transformerDecoder.layers
        for name in Self.tracedNames(layers: layers) {
            let got = try #require(r.trace.tensor(name), "\(name) was not traced")
            let want = try r.fixture.reference(name)
            #expect(got.shape == want.shape, "\(name): \(got.shape) vs \(want.shape)")
            guard got.shape == want.shape else { continue }
            #expect(parity(fixture, name, got, want) <= Self.tolerance, "\(name)")
        }
    }

    @Test(arguments: ["tiny-a", "tiny-b"])
    func finalOutputsMatchWithoutTrace(fixture: String) throws {
        let r = try Self.run(fixture, traced: false)
        #expect(r.trace.names.isEmpty)
        let logits = try r.fixture.reference("decoder.pred_logits")
        let masks = try r.fixture.reference("decoder.pred_masks")
        let (q, k) = (logits.shape[1], logits.shape[2])
        #expect(r.output.classLogits.shape == [q, k])
        #expect(r.output.maskLogits.shape == [q, masks.shape[2], masks.shape[3]])
        #expect(parity(fixture, "decoder.pred_logits (untraced)", r.output.classLogits.reshaped(logits.shape), logits) <= Self.tolerance)
        #expect(parity(fixture, "decoder.pred_masks (untraced)", r.output.maskLogits.reshaped(masks.shape), masks) <= Self.tolerance)
    }

    /// The §14 shortcut (mask features resized per level) gives the same outputs on the
    /// fixtures: their attention-mask logits stay far from 0 (margin ≥ 2e-3 in config.json).
    @Test(arguments: ["tiny-a", "tiny-b"])
    func resizedFeatureShortcutMatches(fixture: String) throws {
        let r = try Self.run(fixture, attentionMasks: .resizedMaskFeatures, traced: false)
        let logits = try r.fixture.reference("decoder.pred_logits")
        let masks = try r.fixture.reference("decoder.pred_masks")
        #expect(parity(fixture, "decoder.pred_logits (shortcut)", r.output.classLogits.reshaped(logits.shape), logits) <= Self.tolerance)
        #expect(parity(fixture, "decoder.pred_masks (shortcut)", r.output.maskLogits.reshaped(masks.shape), masks) <= Self.tolerance)
    }
}
