/// Weights of a depthwise convolution (`groups == channels`, one k×k filter per channel),
/// repacked from PyTorch's `[C, 1, k, k]` into tap-major `[k·k, C]` so that each tap is one
/// contiguous channel vector.
public struct DepthwiseConv2dWeights: Sendable {
    public let channels: Int
    public let kernelSize: Int
    public let padding: Int
    /// `[k·k, C]`: `taps[(ky·k + kx)·C + c] = weight[c][0][ky][kx]`.
    let taps: Tensor
    let bias: Tensor?

    /// Packs `weight` (`[C, 1, k, k]`) and `bias` (`[C]`); stride is 1 (ConvNeXt's 7x7, padding 3).
    public init(weight: Tensor, bias: Tensor?, padding: Int) {
        precondition(weight.rank == 4 && weight.shape[1] == 1 && weight.shape[2] == weight.shape[3],
                     "depthwise weight must be [C, 1, k, k], got \(weight.shape)")
        let (c, k) = (weight.shape[0], weight.shape[2])
        if let bias { precondition(bias.count == c, "depthwise: bias \(bias.shape) for \(c) channels") }
        precondition(padding >= 0, "depthwise: negative padding")
        channels = c
        kernelSize = k
        self.padding = padding
        self.bias = bias
        taps = weight.reshaped([c, k * k]).permuted([1, 0])
    }
}

extension Tensor {
    /// Depthwise stride-1 convolution of a channels-last `[N, H, W, C]` map with zero
    /// padding, returning `[N, Ho, Wo, C]` with `Ho = H + 2p - k + 1`.
    ///
    /// Direct kernel: each output row starts as the bias and receives, for every tap
    /// (ky, kx), `row[x, :] += w[ky, kx, :] · in[y + ky - p, x + kx - p, :]` over the valid
    /// x range, the inner loop running over contiguous channels in 16-lane vectors. One
    /// output row (W·C floats) stays in cache while its k² taps stream over it. Rows are
    /// split across the compute threads.
    public func depthwiseConv2d(_ conv: DepthwiseConv2dWeights) -> Tensor {
        precondition(rank == 4 && shape[3] == conv.channels,
                     "depthwiseConv2d: input \(shape) is not [N, H, W, \(conv.channels)]")
        let (n, h, w, c) = (shape[0], shape[1], shape[2], shape[3])
        let k = conv.kernelSize, p = conv.padding
        let ho = h + 2 * p - k + 1, wo = w + 2 * p - k + 1
        precondition(ho > 0 && wo > 0, "depthwiseConv2d: input \(h)x\(w) smaller than kernel \(k)")
        let bias = conv.bias?.scalars ?? [Float](repeating: 0, count: c)
        return withUnsafeBufferPointer { src in
            conv.taps.withUnsafeBufferPointer { taps in
                Tensor(shape: [n, ho, wo, c]) { dst in
                    let (ps, pt, pd) = (UncheckedSendable(src.baseAddress!), UncheckedSendable(taps.baseAddress!),
                                        UncheckedSendable(dst.baseAddress!))
                    bias.withUnsafeBufferPointer { pb in
                        let biasPtr = UncheckedSendable(pb.baseAddress!)
                        parallelFor(n * ho, grain: 1) { rows in
                            for r in rows {
                                let img = r / ho, oy = r % ho
                                let out = pd.value + r * wo * c
                                for x in 0..<wo { (out + x * c).update(from: biasPtr.value, count: c) }
                                for ky in 0..<k {
                                    let iy = oy + ky - p
                                    if iy < 0 || iy >= h { continue }
                                    let inRow = ps.value + (img * h + iy) * w * c
                                    for kx in 0..<k {
                                        // Valid outputs x satisfy 0 ≤ x + kx - p < w.
                                        let x0 = max(0, p - kx), x1 = min(wo, w + p - kx)
                                        if x0 >= x1 { continue }
                                        depthwiseTapAccumulate(out: out + x0 * c, input: inRow + (x0 + kx - p) * c,
                                                               tap: pt.value + (ky * k + kx) * c,
                                                               pixels: x1 - x0, channels: c)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// `out[x, c] += tap[c] · input[x, c]` for `pixels` consecutive pixels of `channels` floats.
@inline(__always)
func depthwiseTapAccumulate(out: UnsafeMutablePointer<Float>, input: UnsafePointer<Float>,
                            tap: UnsafePointer<Float>, pixels: Int, channels c: Int) {
    let vectors = c / 16
    let outRaw = UnsafeMutableRawPointer(out), inRaw = UnsafeRawPointer(input), tapRaw = UnsafeRawPointer(tap)
    for x in 0..<pixels {
        let rowOffset = x * c * 4
        for v in 0..<vectors {
            let off = v * 64
            let t = tapRaw.loadUnaligned(fromByteOffset: off, as: SIMD16<Float>.self)
            let a = inRaw.loadUnaligned(fromByteOffset: rowOffset + off, as: SIMD16<Float>.self)
            let o = outRaw.loadUnaligned(fromByteOffset: rowOffset + off, as: SIMD16<Float>.self)
            outRaw.storeBytes(of: o + t * a, toByteOffset: rowOffset + off, as: SIMD16<Float>.self)
        }
        for j in (vectors * 16)..<c {
            out[x * c + j] += tap[j] * input[x * c + j]
        }
    }
}
