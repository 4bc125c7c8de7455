/// Weights of a 2-D convolution, repacked once from PyTorch's `[Cout, Cin/groups, kH, kW]`
/// into the GEMM operand the channels-last kernel wants: per group a `[kH·kW·Cin_g, Cout_g]`
/// matrix whose rows run over (ky, kx, c), the order in which an NHWC patch is gathered.
public struct Conv2dWeights: Sendable {
    public let outChannels: Int
    public let inChannels: Int
    public let kernelSize: (height: Int, width: Int)
    public let stride: (y: Int, x: Int)
    public let padding: (y: Int, x: Int)
    public let groups: Int
    /// `[groups, kH·kW·Cin_g, Cout_g]`.
    let packed: Tensor
    let bias: Tensor?

    /// Packs `weight` (`[Cout, Cin/groups, kH, kW]`, the checkpoint layout) and `bias` (`[Cout]`).
    public init(weight: Tensor, bias: Tensor?, stride: Int = 1, padding: Int = 0, groups: Int = 1) {
        self.init(weight: weight, bias: bias, stride: (stride, stride), padding: (padding, padding), groups: groups)
    }

    public init(weight: Tensor, bias: Tensor?, stride: (y: Int, x: Int), padding: (y: Int, x: Int), groups: Int = 1) {
        precondition(weight.rank == 4, "conv2d weight must be [Cout, Cin/groups, kH, kW], got \(weight.shape)")
        let (cout, cinG, kh, kw) = (weight.shape[0], weight.shape[1], weight.shape[2], weight.shape[3])
        precondition(groups > 0 && cout % groups == 0, "conv2d: \(cout) output channels not divisible by \(groups) groups")
        precondition(stride.y > 0 && stride.x > 0 && padding.y >= 0 && padding.x >= 0, "conv2d: bad stride/padding")
        if let bias { precondition(bias.count == cout, "conv2d: bias \(bias.shape) for \(cout) output channels") }
        outChannels = cout
        inChannels = cinG * groups
        kernelSize = (kh, kw)
        self.stride = stride
        self.padding = padding
        self.groups = groups
        self.bias = bias
        let coutG = cout / groups, k = kh * kw * cinG
        // packed[g][(ky·kW + kx)·Cin_g + c][o] = weight[g·Cout_g + o][c][ky][kx]
        packed = weight.withUnsafeBufferPointer { w in
            Tensor(shape: [groups, k, coutG]) { p in
                for g in 0..<groups {
                    for o in 0..<coutG {
                        for c in 0..<cinG {
                            for ky in 0..<kh {
                                for kx in 0..<kw {
                                    let src = (((g * coutG + o) * cinG + c) * kh + ky) * kw + kx
                                    p[(g * k + (ky * kw + kx) * cinG + c) * coutG + o] = w[src]
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// The output spatial size for an input of `height × width`.
    public func outputSize(height: Int, width: Int) -> (height: Int, width: Int) {
        // ⌊(n + 2p - k) / s⌋ + 1, and 0 when the padded input is smaller than the kernel
        // (integer division would round a negative span toward zero).
        func extent(_ n: Int, _ k: Int, _ s: Int, _ p: Int) -> Int {
            let span = n + 2 * p - k
            return span < 0 ? 0 : span / s + 1
        }
        return (extent(height, kernelSize.height, stride.y, padding.y), extent(width, kernelSize.width, stride.x, padding.x))
    }

    /// True when the convolution is a per-pixel matrix product (1x1, stride 1, no padding).
    var isPointwise: Bool {
        kernelSize == (1, 1) && stride == (1, 1) && padding == (0, 0)
    }
}

extension Tensor {
    /// 2-D convolution of a channels-last `[N, H, W, Cin]` map (PyTorch `conv2d` semantics:
    /// cross-correlation, zero padding, groups), returning `[N, Ho, Wo, Cout]`.
    ///
    /// A pointwise convolution is one GEMM of the input itself. Every other one gathers
    /// patches (im2col, in (ky, kx, c) order) for a band of output rows and multiplies the
    /// band by the packed weights; bands are sized to keep the patch buffer near 16 MiB, so
    /// a 3x3 convolution at 1/4 resolution of a 1088x800 image does not need gigabytes.
    /// A patchify convolution (kernel = stride, no padding: ConvNeXt's stem and downsampling)
    /// gathers each input element exactly once, so it costs one copy plus one GEMM.
    public func conv2d(_ conv: Conv2dWeights) -> Tensor {
        precondition(rank == 4 && shape[3] == conv.inChannels,
                     "conv2d: input \(shape) is not [N, H, W, \(conv.inChannels)]")
        let (n, h, w, cin) = (shape[0], shape[1], shape[2], shape[3])
        let (ho, wo) = conv.outputSize(height: h, width: w)
        precondition(ho > 0 && wo > 0, "conv2d: input \(h)x\(w) is smaller than the kernel \(conv.kernelSize)")
        let cout = conv.outChannels, groups = conv.groups
        let cinG = cin / groups, coutG = cout / groups
        let (kh, kw) = conv.kernelSize
        let k = kh * kw * cinG

        return withUnsafeBufferPointer { src in
            conv.packed.withUnsafeBufferPointer { wp in
                Tensor(shape: [n, ho, wo, cout]) { dst in
                    let out = dst.baseAddress!
                    // Start from the bias (or zero) and accumulate with beta = 1.
                    if let bias = conv.bias {
                        bias.withUnsafeBufferPointer { b in
                            for p in 0..<(n * ho * wo) { (out + p * cout).initialize(from: b.baseAddress!, count: cout) }
                        }
                    } else {
                        out.initialize(repeating: 0, count: n * ho * wo * cout)
                    }
                    if conv.isPointwise {
                        for g in 0..<groups {
                            sgemm(transposeA: false, transposeB: false, m: n * h * w, n: coutG, k: cinG, alpha: 1,
                                  a: src.baseAddress! + g * cinG, lda: cin,
                                  b: wp.baseAddress! + g * k * coutG, ldb: coutG,
                                  beta: 1, c: out + g * coutG, ldc: cout)
                        }
                        return
                    }
                    let bandRows = max(1, min(ho, (4 << 20) / max(wo * k, 1)))
                    var cols = [Float](repeating: 0, count: bandRows * wo * k)
                    cols.withUnsafeMutableBufferPointer { colBuf in
                        let colPtr = UncheckedSendable(colBuf.baseAddress!)
                        let input = UncheckedSendable(src.baseAddress!)
                        for img in 0..<n {
                            let image = img * h * w * cin
                            for g in 0..<groups {
                                var oy0 = 0
                                while oy0 < ho {
                                    let rows = min(bandRows, ho - oy0)
                                    // cols[(r·Wo + ox)·K + (ky·kW + kx)·Cin_g + c] = x[iy, ix, g·Cin_g + c]
                                    parallelFor(rows * wo, grain: max(1, 2048 / max(k, 1))) { range in
                                        for pix in range {
                                            let oy = oy0 + pix / wo, ox = pix % wo
                                            let col = colPtr.value + pix * k
                                            for ky in 0..<kh {
                                                let iy = oy * conv.stride.y - conv.padding.y + ky
                                                for kx in 0..<kw {
                                                    let ix = ox * conv.stride.x - conv.padding.x + kx
                                                    let dstTap = col + (ky * kw + kx) * cinG
                                                    if iy >= 0 && iy < h && ix >= 0 && ix < w {
                                                        dstTap.update(from: input.value + image + (iy * w + ix) * cin + g * cinG, count: cinG)
                                                    } else {
                                                        dstTap.update(repeating: 0, count: cinG)
                                                    }
                                                }
                                            }
                                        }
                                    }
                                    sgemm(transposeA: false, transposeB: false, m: rows * wo, n: coutG, k: k, alpha: 1,
                                          a: colPtr.value, lda: k,
                                          b: wp.baseAddress! + g * k * coutG, ldb: coutG,
                                          beta: 1, c: out + ((img * ho + oy0) * wo) * cout + g * coutG, ldc: cout)
                                    oy0 += rows
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
