/// Normalisation kernels. All statistics use the biased variance, as PyTorch does.
extension Tensor {
    /// LayerNorm over the last axis: `(x - μ) / √(σ² + eps) · weight + bias` per row.
    /// In NHWC this is both `nn.LayerNorm(C)` on tokens and timm's `LayerNorm2d` on maps.
    /// Mean and variance are two passes accumulated in Double, so rows of thousands of
    /// channels lose no precision to cancellation.
    public func layerNorm(weight: Tensor?, bias: Tensor?, eps: Float) -> Tensor {
        let c = shape.last ?? 1
        if let weight { precondition(weight.count == c, "layerNorm: weight \(weight.shape) for \(c) channels") }
        if let bias { precondition(bias.count == c, "layerNorm: bias \(bias.shape) for \(c) channels") }
        let w = weight?.scalars, b = bias?.scalars
        return withUnsafeBufferPointer { src in
            Tensor(shape: shape) { dst in
                let (ps, pd) = (UncheckedSendable(src.baseAddress!), UncheckedSendable(dst.baseAddress!))
                parallelFor(src.count / max(c, 1), grain: max(1, 8192 / max(c, 1))) { rows in
                    for r in rows {
                        let x = ps.value + r * c, y = pd.value + r * c
                        var sum = 0.0
                        for j in 0..<c { sum += Double(x[j]) }
                        let mean = sum / Double(c)
                        var sq = 0.0
                        for j in 0..<c { let d = Double(x[j]) - mean; sq += d * d }
                        let inv = Float(1 / (sq / Double(c) + Double(eps)).squareRoot())
                        let m = Float(mean)
                        for j in 0..<c {
                            var v = (x[j] - m) * inv
                            if let w { v *= w[j] }
                            if let b { v += b[j] }
                            y[j] = v
                        }
                    }
                }
            }
        }
    }

    /// GroupNorm on a channels-last tensor `[N, …spatial…, C]`: channels are split into
    /// `groups` consecutive groups and each (image, group) is normalised over all its
    /// spatial positions and channels, then scaled per channel (`nn.GroupNorm`).
    public func groupNorm(groups: Int, weight: Tensor?, bias: Tensor?, eps: Float) -> Tensor {
        precondition(rank >= 2, "groupNorm needs [N, …, C], got \(shape)")
        let c = shape[rank - 1], n = shape[0]
        precondition(groups > 0 && c % groups == 0, "groupNorm: \(c) channels not divisible into \(groups) groups")
        let perGroup = c / groups
        let spatial = count / max(n * c, 1)
        let w = weight?.scalars, b = bias?.scalars
        if let w { precondition(w.count == c, "groupNorm: weight of \(w.count) for \(c) channels") }
        if let b { precondition(b.count == c, "groupNorm: bias of \(b.count) for \(c) channels") }
        return withUnsafeBufferPointer { src in
            // Statistics per (image, group), accumulated in Double in one parallel pass per image.
            var mean = [Double](repeating: 0, count: n * groups), invStd = [Float](repeating: 0, count: n * groups)
            let ps = UncheckedSendable(src.baseAddress!)
            for img in 0..<n {
                let x = ps.value + img * spatial * c
                let threads = max(1, min(ComputeThreads.count, spatial / 1024))
                var partial = [Double](repeating: 0, count: threads * groups * 2)
                partial.withUnsafeMutableBufferPointer { part in
                    let pp = UncheckedSendable(part.baseAddress!)
                    parallelFor(threads) { ts in
                        for t in ts {
                            let lo = spatial * t / threads, hi = spatial * (t + 1) / threads
                            let acc = pp.value + t * groups * 2
                            // Shifted sums around the first pixel's value keep Σx² well conditioned.
                            for g in 0..<groups {
                                let shift = Double(x[g * perGroup])
                                var s = 0.0, s2 = 0.0
                                for p in lo..<hi {
                                    let row = x + p * c + g * perGroup
                                    for j in 0..<perGroup { let d = Double(row[j]) - shift; s += d; s2 += d * d }
                                }
                                acc[2 * g] = s
                                acc[2 * g + 1] = s2
                            }
                        }
                    }
                }
                let total = Double(spatial * perGroup)
                for g in 0..<groups {
                    var s = 0.0, s2 = 0.0
                    for t in 0..<threads { s += partial[(t * groups + g) * 2]; s2 += partial[(t * groups + g) * 2 + 1] }
                    let shift = Double(x[g * perGroup])
                    let m = s / total
                    let variance = max(s2 / total - m * m, 0)
                    mean[img * groups + g] = m + shift
                    invStd[img * groups + g] = Float(1 / (variance + Double(eps)).squareRoot())
                }
            }
            return Tensor(shape: shape) { dst in
                let pd = UncheckedSendable(dst.baseAddress!)
                parallelFor(n * spatial, grain: max(1, 8192 / max(c, 1))) { rows in
                    for r in rows {
                        let img = r / spatial
                        let x = ps.value + r * c, y = pd.value + r * c
                        for g in 0..<groups {
                            let m = Float(mean[img * groups + g]), s = invStd[img * groups + g]
                            for j in (g * perGroup)..<((g + 1) * perGroup) {
                                var v = (x[j] - m) * s
                                if let w { v *= w[j] }
                                if let b { v += b[j] }
                                y[j] = v
                            }
                        }
                    }
                }
            }
        }
    }

    /// Divides each last-axis row by its L2 norm, `x / max(‖x‖, eps)` (PyTorch
    /// `F.normalize`); `eps: 0` gives the plain `x / ‖x‖` that CLIP uses for text features.
    public func l2Normalized(eps: Float = 1e-12) -> Tensor {
        let c = shape.last ?? 1
        return withUnsafeBufferPointer { src in
            Tensor(shape: shape) { dst in
                for r in 0..<(src.count / max(c, 1)) {
                    let x = src.baseAddress! + r * c, y = dst.baseAddress! + r * c
                    var sq = 0.0
                    for j in 0..<c { sq += Double(x[j]) * Double(x[j]) }
                    let norm = Float(sq.squareRoot())
                    let d = max(norm, eps)
                    for j in 0..<c { y[j] = x[j] / d }
                }
            }
        }
    }
}
