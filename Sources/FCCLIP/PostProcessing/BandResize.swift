import Tensor

/// PyTorch bilinear resampling (`F.interpolate(mode="bilinear", align_corners=False)`, no
/// antialias) of a stack of planes, one band of output rows at a time.
///
/// The arithmetic per output element is exactly that of `Tensor.resizedBilinear`
/// (`ty.w0·(tx.w0·a + tx.w1·b) + ty.w1·(tx.w0·c + tx.w1·d)`, float32 taps), so computing an
/// image band by band gives the same bits as resizing it whole. Post-processing uses it to
/// chain the ×4 upsample, the crop and the resize to the original size without ever holding
/// `Q` full-resolution maps (spec §13 item 10).
enum BandResize {
    typealias Tap = BilinearTap

    /// The taps of an axis of `input` samples resized to `output` (the Tensor module's).
    static func taps(input n: Int, output m: Int) -> [Tap] { BilinearTap.taps(input: n, output: m) }

    /// The source rows that output rows `rows` read, given the vertical taps.
    static func sourceRows(for rows: Range<Int>, _ ys: [Tap]) -> Range<Int> {
        precondition(!rows.isEmpty, "empty band")
        var lo = Int.max, hi = Int.min
        for y in rows {
            lo = min(lo, ys[y].i0)
            hi = max(hi, ys[y].i1)
        }
        return lo..<(hi + 1)
    }

    /// Resamples `planes` planes. Source plane `p`, absolute row `r` starts at
    /// `src + p·srcPlaneStride + (r - srcFirstRow)·srcRowStride`; only the columns the
    /// horizontal taps `xs` name are read. Output row `y ∈ rows` of plane `p` is written at
    /// `dst + p·dstPlaneStride + (y - rows.lowerBound)·xs.count`. `ys` are the vertical taps of
    /// the whole output height (indices absolute).
    static func resample(planes: Int, src: UnsafePointer<Float>, srcPlaneStride: Int, srcRowStride: Int, srcFirstRow: Int,
                         ys: [Tap], xs: [Tap], rows: Range<Int>,
                         dst: UnsafeMutablePointer<Float>, dstPlaneStride: Int) {
        let width = xs.count, bandRows = rows.count
        guard planes > 0, bandRows > 0, width > 0 else { return }
        ys.withUnsafeBufferPointer { ysb in
            xs.withUnsafeBufferPointer { xsb in
                parallelFor(planes * bandRows, grain: max(1, 4096 / width)) { items in
                    for item in items {
                        let p = item / bandRows, oy = item % bandRows
                        let ty = ysb[rows.lowerBound + oy]
                        let plane = src + p * srcPlaneStride
                        let row0 = plane + (ty.i0 - srcFirstRow) * srcRowStride
                        let row1 = plane + (ty.i1 - srcFirstRow) * srcRowStride
                        let out = dst + p * dstPlaneStride + oy * width
                        for ox in 0..<width {
                            let tx = xsb[ox]
                            out[ox] = ty.w0 * (tx.w0 * row0[tx.i0] + tx.w1 * row0[tx.i1])
                                + ty.w1 * (tx.w0 * row1[tx.i0] + tx.w1 * row1[tx.i1])
                        }
                    }
                }
            }
        }
    }

    /// Resizes whole planes `[N, h, w]` (any leading shape flattened into N) to `[N, height, width]`.
    static func resizePlanes(_ x: Tensor, height: Int, width: Int) -> Tensor {
        precondition(x.rank >= 2, "resizePlanes needs [..., h, w], got \(x.shape)")
        let (h, w) = (x.shape[x.rank - 2], x.shape[x.rank - 1])
        let n = x.count / max(h * w, 1)
        let ys = taps(input: h, output: height), xs = taps(input: w, output: width)
        var shape = x.shape
        shape[x.rank - 2] = height
        shape[x.rank - 1] = width
        return x.withUnsafeBufferPointer { s in
            Tensor(shape: shape, unsafeUninitialized: { d in
                resample(planes: n, src: s.baseAddress!, srcPlaneStride: h * w, srcRowStride: w, srcFirstRow: 0,
                         ys: ys, xs: xs, rows: 0..<height, dst: d.baseAddress!, dstPlaneStride: height * width)
            })
        }
    }

    /// `[Q, h, w]` from `[Q, h, w]` or `[1, Q, h, w]`.
    static func planes(_ x: Tensor) -> Tensor {
        if x.rank == 4 {
            precondition(x.shape[0] == 1, "batch size 1 only, got \(x.shape)")
            return x.reshaped(Array(x.shape.dropFirst()))
        }
        precondition(x.rank == 3, "mask logits must be [Q, h, w], got \(x.shape)")
        return x
    }
}
