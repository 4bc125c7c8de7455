import Tensor

/// FC-CLIP's `MaskPooling` at the mask features' own resolution (spec §6.3 step 3.1): for
/// each query the average of the feature vectors where its mask logit is > 0 (strict),
/// computed as in the official code: the 0/1 mask is divided by `count + 1e-8` first
/// (`mask / denorm`), then one GEMM `[Q, HW] · [HW, C]`. An empty mask gives a zero vector.
enum MaskPooling {
    /// `maskLogits` `[Q, HW]`, `features` `[HW, C]` (NHWC flattened) → `[Q, C]`.
    static func pool(maskLogits: Tensor, features: Tensor) -> Tensor {
        let hw = features.shape[0]
        let q = maskLogits.count / hw
        precondition(q * hw == maskLogits.count, "mask logits \(maskLogits.shape) against \(hw) positions")
        let weights = maskLogits.withUnsafeBufferPointer { src in
            Tensor(shape: [q, hw]) { dst in
                let (s, d) = (src.baseAddress!, dst.baseAddress!)
                parallelFor(q) { rows in
                    for r in rows {
                        let x = s + r * hw, y = d + r * hw
                        var count: Float = 0
                        for j in 0..<hw where x[j] > 0 { count += 1 }
                        let inv: Float = 1 / (count + 1e-8)
                        for j in 0..<hw { y[j] = x[j] > 0 ? inv : 0 }
                    }
                }
            }
        }
        return Tensor.matmul(weights, features)
    }
}
