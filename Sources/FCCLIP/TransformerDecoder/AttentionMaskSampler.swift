import Tensor

/// The official attention-mask logits `resize(mask_embed · mask_featuresᵀ)` of one level,
/// evaluated only where the resize reads them. A bilinear resize (align_corners=False, no
/// antialias) reads two source rows and two source columns per output index; for the ×8 and
/// ×4 downscales to strides 32 and 16 that is 2 of every 8 (4) rows and columns, so the
/// einsum at those positions is 1/16 (1/4) of the full one. The values are the same dot
/// products combined with the same weights in the same order as `resizedBilinear`, so this
/// is the official order, not the §14 linear shortcut.
public struct AttentionMaskSampler: Sendable {
    public let height: Int
    public let width: Int
    /// `[rows·cols, C]`: the mask features at the source rows × columns the resize reads
    /// (or all of them when the resize reads every position).
    let features: Tensor
    let columns: Int
    let yTaps: [SamplerTap]
    let xTaps: [SamplerTap]

    /// `maskFeatures` NHWC `[1, H, W, C]`, target level size `height × width`.
    public init(maskFeatures: Tensor, height: Int, width: Int) {
        precondition(maskFeatures.rank == 4 && maskFeatures.shape[0] == 1, "mask features must be NHWC [1, H, W, C], got \(maskFeatures.shape)")
        let (h, w, c) = (maskFeatures.shape[1], maskFeatures.shape[2], maskFeatures.shape[3])
        self.height = height
        self.width = width
        let ys = SamplerTap.taps(input: h, output: height)
        let xs = SamplerTap.taps(input: w, output: width)
        let rows = Array(Set(ys.flatMap { [$0.i0, $0.i1] })).sorted()
        let cols = Array(Set(xs.flatMap { [$0.i0, $0.i1] })).sorted()
        var rowSlot = [Int](repeating: -1, count: h), colSlot = [Int](repeating: -1, count: w)
        for (k, r) in rows.enumerated() { rowSlot[r] = k }
        for (k, x) in cols.enumerated() { colSlot[x] = k }
        yTaps = ys.map { SamplerTap(i0: rowSlot[$0.i0], i1: rowSlot[$0.i1], w0: $0.w0, w1: $0.w1) }
        xTaps = xs.map { SamplerTap(i0: colSlot[$0.i0], i1: colSlot[$0.i1], w0: $0.w0, w1: $0.w1) }
        columns = cols.count
        if rows.count == h && cols.count == w {
            features = maskFeatures.reshaped([h * w, c])
        } else {
            features = maskFeatures.withUnsafeBufferPointer { src in
                Tensor(shape: [rows.count * cols.count, c]) { dst in
                    for (a, r) in rows.enumerated() {
                        for (b, x) in cols.enumerated() {
                            let from = src.baseAddress! + (r * w + x) * c, to = dst.baseAddress! + (a * cols.count + b) * c
                            for j in 0..<c { to[j] = from[j] }
                        }
                    }
                }
            }
        }
    }

    /// `[Q, height·width]`: the mask logits of `maskEmbedding` `[Q, C]` resized to this level.
    public func resizedLogits(maskEmbedding: Tensor) -> Tensor {
        let sampled = Tensor.matmul(maskEmbedding, features, transposeB: true)
        let q = maskEmbedding.shape[0], n = features.shape[0]
        let (hh, ww, cols) = (height, width, columns)
        let (ys, xs) = (yTaps, xTaps)
        return sampled.withUnsafeBufferPointer { src in
            Tensor(shape: [q, hh * ww]) { dst in
                let (s, d) = (src.baseAddress!, dst.baseAddress!)
                parallelFor(q) { range in
                    for r in range {
                        let m = s + r * n, o = d + r * hh * ww
                        for oy in 0..<hh {
                            let ty = ys[oy]
                            let row0 = m + ty.i0 * cols, row1 = m + ty.i1 * cols
                            for ox in 0..<ww {
                                let tx = xs[ox]
                                o[oy * ww + ox] = ty.w0 * (tx.w0 * row0[tx.i0] + tx.w1 * row0[tx.i1])
                                    + ty.w1 * (tx.w0 * row1[tx.i0] + tx.w1 * row1[tx.i1])
                            }
                        }
                    }
                }
            }
        }
    }

    /// The next layer's mask: `sigmoid(resized logits) < 0.5`, then the empty-row fix.
    public func blocked(maskEmbedding: Tensor) -> [Bool] {
        var mask = MaskedAttentionMask.blocked(resizedLogits: resizedLogits(maskEmbedding: maskEmbedding))
        MaskedAttentionMask.unblockEmptyRows(&mask, columns: height * width)
        return mask
    }
}

/// The Tensor module's bilinear taps, so the sampler reads exactly what `resizedBilinear` reads.
typealias SamplerTap = BilinearTap
