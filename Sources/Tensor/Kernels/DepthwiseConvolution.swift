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
    /// Direct kernel. Each output row starts as the bias; then for every kernel row ky and
    /// output pixel x, a 16-channel accumulator collects the k taps
    /// `Σ_kx w[ky, kx, c] · in[y + ky - p, x + kx - p, c]` in registers before it is added to
    /// the row, so the output is read and written k times per pixel instead of k². The
    /// output row (W·C floats) and k input rows stay in cache. Rows are split across the
    /// compute threads.
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
                                    depthwiseRowAccumulate(out: out, input: ps.value + (img * h + iy) * w * c,
                                                           taps: pt.value + ky * k * c, outWidth: wo, inWidth: w,
                                                           kernel: k, padding: p, channels: c)
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// For one kernel row: `out[x, c] += Σ_kx taps[kx, c] · input[x + kx - p, c]` over the output
/// pixels x of a row, skipping taps that fall outside the input row (zero padding).
/// Channels-last; 16 channels per vector, the remainder scalar.
@inline(__always)
func depthwiseRowAccumulate(out: UnsafeMutablePointer<Float>, input: UnsafePointer<Float>, taps: UnsafePointer<Float>,
                            outWidth: Int, inWidth: Int, kernel k: Int, padding p: Int, channels c: Int) {
    let vectors = c / 16
    let outRaw = UnsafeMutableRawPointer(out), inRaw = UnsafeRawPointer(input), tapRaw = UnsafeRawPointer(taps)
    for x in 0..<outWidth {
        let kx0 = max(0, p - x), kx1 = min(k, inWidth + p - x)
        if kx0 >= kx1 { continue }
        let o = outRaw + x * c * 4
        let i = inRaw + (x - p) * c * 4
        for v in 0..<vectors {
            let off = v * 64
            var acc = o.loadUnaligned(fromByteOffset: off, as: SIMD16<Float>.self)
            for kx in kx0..<kx1 {
                let t = tapRaw.loadUnaligned(fromByteOffset: kx * c * 4 + off, as: SIMD16<Float>.self)
                let a = i.loadUnaligned(fromByteOffset: kx * c * 4 + off, as: SIMD16<Float>.self)
                acc += t * a
            }
            o.storeBytes(of: acc, toByteOffset: off, as: SIMD16<Float>.self)
        }
        if vectors * 16 < c {
            let ox = out + x * c, ix = input + (x - p) * c
            for j in (vectors * 16)..<c {
                var acc = ox[j]
                for kx in kx0..<kx1 { acc += taps[kx * c + j] * ix[kx * c + j] }
                ox[j] = acc
            }
        }
    }
}
