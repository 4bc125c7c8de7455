/// Bilinear resampling with PyTorch `F.interpolate(mode="bilinear", align_corners=False,
/// antialias=False)` semantics, given an output size.
extension Tensor {
    /// Resizes a channels-last `[N, H, W, C]` map to `[N, height, width, C]`.
    ///
    /// For each output index i along an axis of input size `n` and output size `m`:
    /// `src = max((i + 0.5)·(n/m) - 0.5, 0)`, `i0 = min(⌊src⌋, n-1)`, `i1 = min(i0 + 1, n-1)`,
    /// `λ = src - i0`; the value is `(1-λy)·((1-λx)·x00 + λx·x01) + λy·((1-λx)·x10 + λx·x11)`.
    /// All index arithmetic is float32 as in PyTorch. Downscaling does not antialias: it
    /// reads only the two nearest samples per axis.
    public func resizedBilinear(height: Int, width: Int) -> Tensor {
        precondition(rank == 4, "resizedBilinear needs [N, H, W, C], got \(shape)")
        precondition(height > 0 && width > 0, "resizedBilinear: empty output size \(height)x\(width)")
        let (n, h, w, c) = (shape[0], shape[1], shape[2], shape[3])
        precondition(h > 0 && w > 0, "resizedBilinear: empty input \(shape)")
        if h == height && w == width { return self }
        let ys = BilinearTap.taps(input: h, output: height)
        let xs = BilinearTap.taps(input: w, output: width)
        return withUnsafeBufferPointer { src in
            Tensor(shape: [n, height, width, c]) { dst in
                let (ps, pd) = (UncheckedSendable(src.baseAddress!), UncheckedSendable(dst.baseAddress!))
                parallelFor(n * height, grain: max(1, 2048 / max(width * c, 1))) { rows in
                    for r in rows {
                        let img = r / height, oy = r % height
                        let ty = ys[oy]
                        let row0 = ps.value + (img * h + ty.i0) * w * c
                        let row1 = ps.value + (img * h + ty.i1) * w * c
                        let out = pd.value + r * width * c
                        for ox in 0..<width {
                            let tx = xs[ox]
                            let a = row0 + tx.i0 * c, b = row0 + tx.i1 * c
                            let cc = row1 + tx.i0 * c, d = row1 + tx.i1 * c
                            let o = out + ox * c
                            for j in 0..<c {
                                o[j] = ty.w0 * (tx.w0 * a[j] + tx.w1 * b[j]) + ty.w1 * (tx.w0 * cc[j] + tx.w1 * d[j])
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The two source indices and weights of one output index of a bilinear resize along one axis.
public struct BilinearTap: Sendable, Equatable {
    public var i0: Int, i1: Int
    public var w0: Float, w1: Float

    public init(i0: Int, i1: Int, w0: Float, w1: Float) {
        self.i0 = i0
        self.i1 = i1
        self.w0 = w0
        self.w1 = w1
    }

    /// PyTorch's `area_pixel_compute_source_index` + `guard_index_and_lambda`
    /// (align_corners=False), in float32, for an axis of `n` samples resized to `m`:
    /// `src = max((i + 0.5)·(n/m) - 0.5, 0)`, `i0 = min(⌊src⌋, n-1)`, `i1 = min(i0 + 1, n-1)`,
    /// `w1 = src - i0`, `w0 = 1 - w1`. An unchanged axis gives the identity taps.
    public static func taps(input n: Int, output m: Int) -> [BilinearTap] {
        precondition(n > 0 && m > 0, "bilinear resize of an empty axis (\(n) -> \(m))")
        if n == m { return (0..<m).map { BilinearTap(i0: $0, i1: $0, w0: 1, w1: 0) } }
        let scale = Float(n) / Float(m)
        return (0..<m).map { i in
            let src = max(scale * (Float(i) + 0.5) - 0.5, 0)
            let i0 = min(Int(src.rounded(.down)), n - 1)
            let i1 = i0 + (i0 < n - 1 ? 1 : 0)
            let l1 = min(max(src - Float(i0), 0), 1)
            return BilinearTap(i0: i0, i1: i1, w0: 1 - l1, w1: l1)
        }
    }
}
