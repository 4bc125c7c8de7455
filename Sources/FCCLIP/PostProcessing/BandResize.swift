import Tensor

/// PyTorch bilinear resampling (`F.interpolate(mode="bilinear", align_corners=False)`, no
/// antialias) of a stack of planes, one band of output rows at a time.
///
/// The arithmetic per output element is exactly that of `Tensor.resizedBilinear`
/// (`ty.w0·(tx.w0·a + tx.w1·b) + ty.w1·(tx.w0·c + tx.w1·d)`, float32 taps; computed separably,
/// each horizontal pair once per source row, with the same operations in the same order), so computing an
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
        // Separable: each needed source row is resampled horizontally once into a scratch band
        // (`tx.w0·a + tx.w1·b`), then every output row combines two of those rows vertically
        // (`ty.w0·h0 + ty.w1·h1`): the same float operations, in the same order, as the direct
        // four-tap formula, so the bits are unchanged.
        // Work items: (plane, chunk of output rows); a few chunks per plane when planes are few.
        let chunksPerPlane = min(bandRows, planes >= 4 * ComputeThreads.count ? 1 : max(1, (8 * ComputeThreads.count) / planes))
        let chunkBounds = (0...chunksPerPlane).map { rows.lowerBound + bandRows * $0 / chunksPerPlane }
        let chunkSources = (0..<chunksPerPlane).map { c in
            chunkBounds[c] < chunkBounds[c + 1] ? sourceRows(for: chunkBounds[c]..<chunkBounds[c + 1], ys) : 0..<0
        }
        let maxSourceRows = chunkSources.map(\.count).max() ?? 0
        ys.withUnsafeBufferPointer { ysb in
            xs.withUnsafeBufferPointer { xsb in
                parallelFor(planes * chunksPerPlane) { items in
                    let scratch = UnsafeMutablePointer<Float>.allocate(capacity: max(1, maxSourceRows * width))
                    defer { scratch.deallocate() }
                    for item in items {
                        let p = item / chunksPerPlane, c = item % chunksPerPlane
                        let (lo, hi) = (chunkBounds[c], chunkBounds[c + 1])
                        guard lo < hi else { continue }
                        let srcRange = chunkSources[c]
                        let plane = src + p * srcPlaneStride
                        // Horizontal pass over the source rows this chunk reads.
                        for r in srcRange {
                            let row = plane + (r - srcFirstRow) * srcRowStride
                            horizontal(row, xsb, into: scratch + (r - srcRange.lowerBound) * width)
                        }
                        // Vertical pass.
                        for y in lo..<hi {
                            let ty = ysb[y]
                            vertical(scratch + (ty.i0 - srcRange.lowerBound) * width, scratch + (ty.i1 - srcRange.lowerBound) * width,
                                     ty, count: width, into: dst + p * dstPlaneStride + (y - rows.lowerBound) * width)
                        }
                    }
                }
            }
        }
    }

    /// `out[x] = tx.w0·row[tx.i0] + tx.w1·row[tx.i1]` for every horizontal tap.
    @inline(__always)
    static func horizontal(_ row: UnsafePointer<Float>, _ xs: UnsafeBufferPointer<Tap>, into out: UnsafeMutablePointer<Float>) {
        for ox in 0..<xs.count {
            let tx = xs[ox]
            out[ox] = tx.w0 * row[tx.i0] + tx.w1 * row[tx.i1]
        }
    }

    /// `out[x] = ty.w0·r0[x] + ty.w1·r1[x]`, 16 lanes at a time.
    @inline(__always)
    static func vertical(_ r0: UnsafePointer<Float>, _ r1: UnsafePointer<Float>, _ ty: Tap, count: Int,
                         into out: UnsafeMutablePointer<Float>) {
        let a0 = UnsafeRawPointer(r0), a1 = UnsafeRawPointer(r1), o = UnsafeMutableRawPointer(out)
        let w0 = FloatVector(repeating: ty.w0), w1 = FloatVector(repeating: ty.w1)
        var x = 0
        while x + 16 <= count {
            let a = a0.loadUnaligned(fromByteOffset: x * 4, as: FloatVector.self)
            let b = a1.loadUnaligned(fromByteOffset: x * 4, as: FloatVector.self)
            o.storeBytes(of: w0 * a + w1 * b, toByteOffset: x * 4, as: FloatVector.self)
            x += 16
        }
        while x < count {
            out[x] = ty.w0 * r0[x] + ty.w1 * r1[x]
            x += 1
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
