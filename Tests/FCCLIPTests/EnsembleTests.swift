import CLIP
import FCCLIP
import Foundation
import GoldenFixtures
import ModelIO
import Tensor
import Testing

/// The out-of-vocabulary branch and the geometric ensemble (spec §7.1–§7.2) against the official
/// tensors of tiny-a (ENSEMBLE_ON_VALID_MASK off) and tiny-b (on, CLIP scale clamped to 100).
@Suite struct EnsembleTests {
    @Test(arguments: ["tiny-a", "tiny-b"])
    func maskPoolingMatchesOfficial(fixture: String) throws {
        let f = try GoldenFixture(fixture)
        let trace = TensorTrace()
        let pooling = CLIPMaskPooling(maskLogits: try f.reference("decoder.pred_masks"),
                                      clipDense: try f.referenceNHWC("backbone.clip_vis_dense"), trace: trace)
        #expect(parity(fixture, "clip_pool.mask_for_pooling", trace.tensor("clip_pool.mask_for_pooling")!,
                       try f.reference("clip_pool.mask_for_pooling")) <= 1e-4)
        #expect(parity(fixture, "clip_pool.pooled", trace.tensor("clip_pool.pooled")!, try f.reference("clip_pool.pooled")) <= 1e-4)
        // The > 0 binarisation agrees exactly (margin 7.5e-3 in tiny-a, 1.5e-2 in tiny-b).
        let want = try f.reference("clip_pool.mask_for_pooling").scalars.map { $0 > 0 }
        #expect(pooling.maskForPooling.scalars.map { $0 > 0 } == want)
    }

    /// Mask pooling → CLIP head → classifier with CLIP's logit scale gives `ensemble.out_vocab_logits`.
    @Test(arguments: ["tiny-a", "tiny-b"])
    func outOfVocabularyLogitsMatchOfficial(fixture: String) throws {
        let f = try GoldenFixture(fixture)
        let clip = try CLIPModel(bundle: f.bundle)
        let counts = try f.integers("text.num_templates").map { Int($0) }
        let classifier = TextClassifier(promptFeatures: try f.reference("text.prompt_features"), templatesPerSynonym: 14,
                                        synonymCounts: counts, voidEmbedding: clip.voidEmbedding)
        let trace = TensorTrace()
        let (logits, _) = OutOfVocabulary.logits(maskLogits: try f.reference("decoder.pred_masks"),
                                                 clipDense: try f.referenceNHWC("backbone.clip_vis_dense"), clip: clip,
                                                 classifier: classifier, logitScaleMax: Float(f.bundle.config.clip.logitScaleMax),
                                                 trace: trace)
        #expect(parity(fixture, "clip_pool.embed", trace.tensor("clip_pool.embed")!, try f.reference("clip_pool.embed")) <= 1e-4)
        let want = try f.reference("ensemble.out_vocab_logits")
        #expect(parity(fixture, "ensemble.out_vocab_logits", logits.reshaped(want.shape), want) <= 1e-4)
    }

    @Test(arguments: ["tiny-a", "tiny-b"])
    func ensembleMatchesOfficial(fixture: String) throws {
        let f = try GoldenFixture(fixture)
        let settings = f.bundle.config.inference
        let pooling = CLIPMaskPooling(maskLogits: try f.reference("decoder.pred_masks"),
                                      clipDense: try f.referenceNHWC("backbone.clip_vis_dense"))
        let seen = try f.integers("text.category_overlapping_mask").map { $0 != 0 }
        let trace = TensorTrace()
        let e = GeometricEnsemble(inVocabLogits: try f.reference("decoder.pred_logits"),
                                  outVocabLogits: try f.reference("ensemble.out_vocab_logits"), seen: seen,
                                  alpha: settings.alpha, beta: settings.beta,
                                  validMask: settings.ensembleOnValidMask ? pooling.hasValidMask : nil, trace: trace)
        for name in ["ensemble.in_vocab_probs", "ensemble.out_vocab_probs", "ensemble.is_void_prob", "ensemble.cls_results",
                     "ensemble.mask_cls_probs", "ensemble.mask_cls_log"] {
            #expect(parity(fixture, name, trace.tensor(name)!, try f.reference(name)) <= 1e-4, "\(name)")
        }
        #expect(parity(fixture, "post.mask_cls", e.maskClsLog, try f.reference("post.mask_cls")) <= 1e-4)
    }

    /// Unseen classes weigh CLIP by β, seen by α, and an invalid mask falls back to in-vocabulary.
    @Test func handComputedWeights() {
        let lin = Tensor(shape: [2, 3], values: [1, 0, -1, 0.5, 0.2, 2])
        let lout = Tensor(shape: [2, 3], values: [0, 1, 7, -1, 2, 0])
        let e = GeometricEnsemble(inVocabLogits: lin, outVocabLogits: lout, seen: [true, false], alpha: 0.4, beta: 0.8,
                                  validMask: [true, false])
        func ls(_ a: [Double]) -> [Double] { let m = a.max()!; let s = a.map { exp($0 - m) }.reduce(0, +); return a.map { $0 - m - log(s) } }
        let i0 = ls([1, 0]), o0 = ls([0, 1])
        let s = e.clsResults.scalars
        #expect(abs(Double(s[0]) - (0.6 * i0[0] + 0.4 * o0[0])) < 1e-5)
        #expect(abs(Double(s[1]) - (0.2 * i0[1] + 0.8 * o0[1])) < 1e-5)
        let i1 = ls([0.5, 0.2])
        #expect(abs(Double(s[2]) - i1[0]) < 1e-5 && abs(Double(s[3]) - i1[1]) < 1e-5)
        let void0 = exp(-1.0) / (exp(1.0) + 1 + exp(-1.0))
        #expect(abs(Double(e.maskClsProbs[0, 2]) - void0) < 1e-6)
        let p = e.maskClsProbs.scalars
        #expect(abs(Double(p[0] + p[1] + p[2]) - 1) < 1e-6)
    }
}
