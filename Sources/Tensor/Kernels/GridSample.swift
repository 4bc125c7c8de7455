/// `F.grid_sample(mode="bilinear", padding_mode="zeros", align_corners=False)`.
extension Tensor {
    /// Samples a channels-last map `[N, H, W, C]` at the normalised locations of
    /// `grid` `[N, Ho, Wo, 2]` (last axis (x, y), -1 and +1 being the outer edges of the
    /// border pixels), returning `[N, Ho, Wo, C]`.
    ///
    /// Pixel coordinates are `ix = ((x + 1)·W - 1) / 2` and `iy = ((y + 1)·H - 1) / 2`; the
    /// four neighbours `⌊ix⌋, ⌊ix⌋+1 × ⌊iy⌋, ⌊iy⌋+1` are weighted bilinearly and any
    /// neighbour outside the map contributes zero (so does a NaN location).
    public func gridSampleBilinear(grid: Tensor) -> Tensor {
        precondition(rank == 4 && grid.rank == 4 && grid.shape[3] == 2 && grid.shape[0] == shape[0],
                     "gridSampleBilinear: input \(shape) and grid \(grid.shape) must be [N, H, W, C] and [N, Ho, Wo, 2]")
        let (n, h, w, c) = (shape[0], shape[1], shape[2], shape[3])
        let (ho, wo) = (grid.shape[1], grid.shape[2])
        return withUnsafeBufferPointer { src in
            grid.withUnsafeBufferPointer { g in
                Tensor(shape: [n, ho, wo, c]) { dst in
                    let (ps, pg, pd) = (UncheckedSendable(src.baseAddress!), UncheckedSendable(g.baseAddress!),
                                        UncheckedSendable(dst.baseAddress!))
                    parallelFor(n * ho * wo, grain: max(1, 1024 / max(c, 1))) { points in
                        for p in points {
                            let img = p / (ho * wo)
                            let out = pd.value + p * c
                            out.update(repeating: 0, count: c)
                            let ix = ((pg.value[2 * p] + 1) * Float(w) - 1) / 2
                            let iy = ((pg.value[2 * p + 1] + 1) * Float(h) - 1) / 2
                            guard ix.isFinite && iy.isFinite else { continue }
                            bilinearSampleAccumulate(out, map: ps.value + img * h * w * c, height: h, width: w,
                                                     channels: c, x: ix, y: iy, weight: 1)
                        }
                    }
                }
            }
        }
    }
}

/// `out[c] += weight · bilinear(map, x, y)[c]` with zero padding, where (x, y) are pixel
/// coordinates (pixel centres at integers) in a channels-last `height × width × channels`
/// map. Shared by grid sampling and deformable attention.
@inlinable
public func bilinearSampleAccumulate(_ out: UnsafeMutablePointer<Float>, map: UnsafePointer<Float>,
                                     height h: Int, width w: Int, channels c: Int,
                                     x: Float, y: Float, weight: Float) {
    let fx = x.rounded(.down), fy = y.rounded(.down)
    // Far outside: no neighbour can be inside (also keeps Int conversion in range).
    guard fx > -2, fy > -2, fx < Float(w) + 1, fy < Float(h) + 1 else { return }
    let x0 = Int(fx), y0 = Int(fy)
    let ax = x - fx, ay = y - fy
    let x1 = x0 + 1, y1 = y0 + 1
    let xIn0 = x0 >= 0 && x0 < w, xIn1 = x1 >= 0 && x1 < w
    if y0 >= 0 && y0 < h {
        let row = map + y0 * w * c
        if xIn0 { axpy(out, row + x0 * c, weight * (1 - ax) * (1 - ay), c) }
        if xIn1 { axpy(out, row + x1 * c, weight * ax * (1 - ay), c) }
    }
    if y1 >= 0 && y1 < h {
        let row = map + y1 * w * c
        if xIn0 { axpy(out, row + x0 * c, weight * (1 - ax) * ay, c) }
        if xIn1 { axpy(out, row + x1 * c, weight * ax * ay, c) }
    }
}

/// `y[j] += a · x[j]` for `n` floats.
@inlinable @inline(__always)
func axpy(_ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ a: Float, _ n: Int) {
    for j in 0..<n { y[j] += a * x[j] }
}
