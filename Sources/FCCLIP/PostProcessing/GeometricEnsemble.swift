import Foundation
import Tensor

/// FC-CLIP's geometric ensemble of the in-vocabulary (decoder) and out-of-vocabulary (CLIP)
/// class predictions (spec §7.2, the eval branch of `FCCLIP.forward`).
///
/// For every query, with `w_c = α` for classes seen in COCO training and `β` otherwise:
/// `s_c = ln(p_in_c^(1−w_c) · p_out_c^(w_c))`, `P_c = softmax(s)_c · (1 − p_void)`,
/// `P_C = p_void`, and post-processing receives `ln(P + 1e-8)`.
public struct GeometricEnsemble: @unchecked Sendable {
    /// `[Q, C]` softmax of the decoder logits without the void column (`ensemble.in_vocab_probs`).
    public let inVocabProbs: Tensor
    /// `[Q, C]` softmax of the CLIP logits without the void column (`ensemble.out_vocab_probs`).
    public let outVocabProbs: Tensor
    /// `[Q]` void probability from the softmax over all C + 1 decoder logits (`ensemble.is_void_prob`).
    public let voidProb: [Float]
    /// `[Q, C]` ensembled log scores `s` (`ensemble.cls_results`).
    public let clsResults: Tensor
    /// `[Q, C + 1]` final distribution `P` (`ensemble.mask_cls_probs`).
    public let maskClsProbs: Tensor
    /// `[Q, C + 1]` `ln(P + 1e-8)`: what every post-processor takes (`ensemble.mask_cls_log`, `post.mask_cls`).
    public let maskClsLog: Tensor

    /// - Parameters:
    ///   - inVocabLogits: decoder `pred_logits`, `[Q, C + 1]` (or `[1, Q, C + 1]`), void last.
    ///   - outVocabLogits: CLIP logits `[Q, C + 1]` (void column ignored).
    ///   - seen: per class, `category_overlapping_mask` (`VocabularyClass.seenInCOCO`).
    ///   - alpha, beta: CLIP weights for seen / unseen classes (0.4 / 0.8 in every released config).
    ///   - validMask: with `ENSEMBLE_ON_VALID_MASK`, per query whether its pooling mask has a positive
    ///     pixel; queries without one use α = β = 0 (pure in-vocabulary). `nil` = off.
    public init(inVocabLogits: Tensor, outVocabLogits: Tensor, seen: [Bool], alpha: Double, beta: Double,
                validMask: [Bool]? = nil, trace: TensorTrace? = nil) {
        let lin = GeometricEnsemble.matrix(inVocabLogits), lout = GeometricEnsemble.matrix(outVocabLogits)
        let (q, c1) = (lin.shape[0], lin.shape[1]), c = c1 - 1
        precondition(lout.shape == lin.shape, "out-vocab logits \(lout.shape) vs in-vocab \(lin.shape)")
        precondition(seen.count == c, "\(seen.count) seen flags for \(c) classes")
        if let validMask { precondition(validMask.count == q, "\(validMask.count) valid flags for \(q) queries") }

        let inNoVoid = GeometricEnsemble.dropLastColumn(lin), outNoVoid = GeometricEnsemble.dropLastColumn(lout)
        let pin = inNoVoid.softmax(), pout = outNoVoid.softmax()
        let full = lin.softmax().scalars
        let void = (0..<q).map { full[$0 * c1 + c] }

        // Official: (p_in ** (1 - a) * p_out ** a).log() * seen + (p_in ** (1 - b) * p_out ** b).log() * (1 - seen),
        // in float32. Only the selected term is evaluated (the other one is multiplied by 0, which
        // is NaN in the official code when its product underflows); if the selected product
        // underflows, the equal log-space form (1 − w)·log_softmax(in) + w·log_softmax(out) is used.
        let a = Float(alpha), b = Float(beta)
        let logSoftIn = GeometricEnsemble.logSoftmax(inNoVoid), logSoftOut = GeometricEnsemble.logSoftmax(outNoVoid)
        let pinS = pin.scalars, poutS = pout.scalars
        var s = [Float](repeating: 0, count: q * c)
        for i in 0..<q {
            let valid = validMask?[i] ?? true
            for k in 0..<c {
                // With the valid-mask switch the official weights are float32 tensors (1·α)·valid.
                let wgt: Float = valid ? (seen[k] ? a : b) : 0
                let one = 1 - wgt
                let product = powf(pinS[i * c + k], one) * powf(poutS[i * c + k], wgt)
                if product > 0 && product.isFinite {
                    s[i * c + k] = logf(product)
                } else {
                    s[i * c + k] = Float(Double(one) * logSoftIn[i * c + k] + Double(wgt) * logSoftOut[i * c + k])
                }
            }
        }
        let cls = Tensor(shape: [q, c], values: s)
        let softCls = cls.softmax().scalars
        var probs = [Float](repeating: 0, count: q * c1)
        var logs = [Float](repeating: 0, count: q * c1)
        for i in 0..<q {
            let keep = 1 - void[i]
            for k in 0..<c { probs[i * c1 + k] = softCls[i * c + k] * keep }
            probs[i * c1 + c] = void[i]
            for k in 0..<c1 { logs[i * c1 + k] = logf(probs[i * c1 + k] + 1e-8) }
        }
        inVocabProbs = pin
        outVocabProbs = pout
        voidProb = void
        clsResults = cls
        maskClsProbs = Tensor(shape: [q, c1], values: probs)
        maskClsLog = Tensor(shape: [q, c1], values: logs)

        if let trace {
            trace.record("ensemble.in_vocab_probs", pin.reshaped([1, q, c]))
            trace.record("ensemble.out_vocab_probs", pout.reshaped([1, q, c]))
            trace.record("ensemble.is_void_prob", Tensor(shape: [1, q, 1], values: void))
            trace.record("ensemble.cls_results", cls.reshaped([1, q, c]))
            trace.record("ensemble.mask_cls_probs", maskClsProbs.reshaped([1, q, c1]))
            trace.record("ensemble.mask_cls_log", maskClsLog.reshaped([1, q, c1]))
        }
    }

    /// `[Q, K]` from `[Q, K]` or `[1, Q, K]`.
    static func matrix(_ x: Tensor) -> Tensor {
        if x.rank == 3 {
            precondition(x.shape[0] == 1, "batch size 1 only, got \(x.shape)")
            return x.reshaped([x.shape[1], x.shape[2]])
        }
        precondition(x.rank == 2, "class logits must be [Q, C + 1], got \(x.shape)")
        return x
    }

    static func dropLastColumn(_ x: Tensor) -> Tensor {
        let (q, k) = (x.shape[0], x.shape[1])
        return x.withUnsafeBufferPointer { s in
            Tensor(shape: [q, k - 1], unsafeUninitialized: { d in
                for i in 0..<q {
                    for j in 0..<(k - 1) { d[i * (k - 1) + j] = s[i * k + j] }
                }
            })
        }
    }

    /// Row-wise log-softmax in Double (only used where the float32 product underflows).
    static func logSoftmax(_ x: Tensor) -> [Double] {
        let (q, k) = (x.shape[0], x.shape[1])
        let v = x.scalars
        var out = [Double](repeating: 0, count: q * k)
        for i in 0..<q {
            var mx = -Double.infinity
            for j in 0..<k { mx = max(mx, Double(v[i * k + j])) }
            var sum = 0.0
            for j in 0..<k { sum += Foundation.exp(Double(v[i * k + j]) - mx) }
            let lse = mx + Foundation.log(sum)
            for j in 0..<k { out[i * k + j] = Double(v[i * k + j]) - lse }
        }
        return out
    }
}
