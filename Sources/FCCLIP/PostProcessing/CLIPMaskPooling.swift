import CLIP
import Tensor

/// The out-of-vocabulary branch's mask pooling (spec §7.1, `FCCLIP.mask_pooling` on
/// `clip_vis_dense`): every query's mask logits, bilinearly resized to the dense CLIP map,
/// binarised at `> 0`, average the CLIP features inside the mask.
public struct CLIPMaskPooling: @unchecked Sendable {
    /// `[Q, h, w]`: the decoder's mask logits resized to the CLIP map (`clip_pool.mask_for_pooling`).
    public let maskForPooling: Tensor
    /// `[Q, C_clip]`: `Σ F·1[m > 0] / (Σ 1[m > 0] + 1e-8)` (`clip_pool.pooled`). A query with an
    /// empty mask pools to zeros.
    public let pooled: Tensor
    /// Per query: whether its pooling mask has a positive pixel (`ENSEMBLE_ON_VALID_MASK`).
    public let hasValidMask: [Bool]

    /// - Parameters:
    ///   - maskLogits: the final decoder mask logits `[Q, H/4, W/4]` (or `[1, Q, H/4, W/4]`).
    ///   - clipDense: `clip_vis_dense`, NHWC `[1, h, w, C_clip]`.
    public init(maskLogits: Tensor, clipDense: Tensor, trace: TensorTrace? = nil) {
        precondition(clipDense.rank == 4 && clipDense.shape[0] == 1, "clipDense must be NHWC [1, h, w, C], got \(clipDense.shape)")
        let (h, w, c) = (clipDense.shape[1], clipDense.shape[2], clipDense.shape[3])
        let masks = BandResize.planes(maskLogits)
        let q = masks.shape[0]
        // This is a ×8 downsample without antialiasing, of logits (not sigmoids).
        let resized = BandResize.resizePlanes(masks, height: h, width: w)
        var valid = [Bool](repeating: false, count: q)
        // Official: mask = (m > 0).float(); denorm = mask.sum + 1e-8; einsum(x, mask / denorm).
        let weights = resized.withUnsafeBufferPointer { m in
            Tensor(shape: [q, h * w], unsafeUninitialized: { out in
                for i in 0..<q {
                    var count: Float = 0
                    for j in 0..<(h * w) where m[i * h * w + j] > 0 { count += 1 }
                    valid[i] = count > 0
                    let inv = 1 / (count + 1e-8)
                    for j in 0..<(h * w) { out[i * h * w + j] = m[i * h * w + j] > 0 ? inv : 0 }
                }
            })
        }
        maskForPooling = resized
        pooled = Tensor.matmul(weights, clipDense.reshaped([h * w, c]))
        hasValidMask = valid
        trace?.record("clip_pool.mask_for_pooling", resized.reshaped([1, q, h, w]))
        trace?.record("clip_pool.pooled", pooled.reshaped([1, q, c]))
    }
}

/// The whole out-of-vocabulary branch (spec §7.1): mask pooling, CLIP's visual head, and the
/// text classifier with CLIP's own logit scale (`clamp(exp(logit_scale), max: logit_scale_max)`).
public enum OutOfVocabulary {
    /// Out-of-vocabulary logits `[Q, C + 1]` (void last), with the pooling used to get them.
    /// Records `clip_pool.*` and `ensemble.out_vocab_logits` into `trace`.
    public static func logits(maskLogits: Tensor, clipDense: Tensor, embed: (Tensor) -> Tensor,
                              classify: (Tensor) -> Tensor, trace: TensorTrace? = nil) -> (logits: Tensor, pooling: CLIPMaskPooling) {
        let pooling = CLIPMaskPooling(maskLogits: maskLogits, clipDense: clipDense, trace: trace)
        let embeddings = embed(pooling.pooled)
        let q = pooling.pooled.shape[0]
        trace?.record("clip_pool.embed", embeddings.reshaped([1, q, embeddings.shape[1]]))
        let logits = classify(embeddings)
        trace?.record("ensemble.out_vocab_logits", logits.reshaped([1, q, logits.shape[1]]))
        return (logits, pooling)
    }
}

extension OutOfVocabulary {
    /// Out-of-vocabulary logits with `clip`'s visual head and logit scale (clamped to
    /// `logitScaleMax`, the model's `clip.logit_scale_max`, 100 for the released models).
    public static func logits(maskLogits: Tensor, clipDense: Tensor, clip: CLIPModel, classifier: TextClassifier,
                              logitScaleMax: Float, trace: TensorTrace? = nil) -> (logits: Tensor, pooling: CLIPMaskPooling) {
        logits(maskLogits: maskLogits, clipDense: clipDense, embed: { clip.visualHead($0) },
               classify: { classifier.logits($0, logitScale: clip.logitScale, maxScale: logitScaleMax) }, trace: trace)
    }
}
