import Tensor

/// The core of multi-scale deformable attention (`MSDeformAttnFunction` /
/// `ms_deform_attn_core_pytorch`): for every query q and head m,
///
///     out[q, m·D + j] = Σ_l Σ_p A[q, m, l, p] · bilinear(value_{l,m}, loc(q, m, l, p))[j]
///
/// with `loc = ref[q] + (Δx / W_l, Δy / H_l)`, sampled like `F.grid_sample(bilinear,
/// padding_mode="zeros", align_corners=False)` on grid `2·loc − 1`: pixel coordinates
/// `px = ((2·loc_x − 1 + 1)·W_l − 1) / 2` (= `loc_x·W_l − 0.5`), likewise py; the four
/// integer neighbours are weighted bilinearly and a neighbour outside the map contributes 0.
///
/// Layouts (all row-major float32, one image):
/// - `value` `[tokens, M·D]`: channels-last tokens, levels concatenated as in `levels`; head m
///   owns channels `[m·D, (m+1)·D)`, so pixel (y, x) of level l, head m starts at
///   `value + (start_l + y·W_l + x)·M·D + m·D` and its D channels are contiguous.
/// - `reference` `[queries, 2]`: normalised (x, y).
/// - `offsets` `[queries, M, L, P, 2]`: raw (x, y) offsets in pixels of level l.
/// - `weights` `[queries, M, L, P]`: attention weights, already softmax-normalised per head.
/// - result `[queries, M·D]`.
///
/// For each (q, m, l, p) the four corner weights (times the attention weight) are computed
/// once; corners outside the map get weight 0 and a clamped (valid) address, so one fused
/// loop accumulates D contiguous channels. Queries are split across threads with
/// `parallelFor`; each writes only its own output row.
public func deformableAttentionSample(value: Tensor, levels: DeformableLevels, heads: Int, points: Int,
                                      reference: Tensor, offsets: Tensor, weights: Tensor) -> Tensor {
    let L = levels.shapes.count, M = heads, P = points
    precondition(value.rank == 2 && value.shape[0] == levels.tokens && value.shape[1] % M == 0,
                 "deformableAttentionSample: value \(value.shape) is not [\(levels.tokens), heads·D]")
    let C = value.shape[1], D = C / M
    let queries = reference.count / 2
    precondition(reference.count == queries * 2, "deformableAttentionSample: reference \(reference.shape) is not [Q, 2]")
    precondition(offsets.count == queries * M * L * P * 2,
                 "deformableAttentionSample: offsets \(offsets.shape) is not [\(queries), \(M), \(L), \(P), 2]")
    precondition(weights.count == queries * M * L * P,
                 "deformableAttentionSample: weights \(weights.shape) is not [\(queries), \(M), \(L), \(P)]")
    // (height, width, first token) per level, flat for the hot loop.
    var geometry: [Int] = []
    for (l, s) in levels.shapes.enumerated() { geometry += [s.height, s.width, levels.starts[l]] }
    return value.withUnsafeBufferPointer { v in
        reference.withUnsafeBufferPointer { r in
            offsets.withUnsafeBufferPointer { o in
                weights.withUnsafeBufferPointer { a in
                    geometry.withUnsafeBufferPointer { g in
                        Tensor(shape: [queries, C]) { out in
                            let pv = PixelDecoderPointer(v.baseAddress!), pr = PixelDecoderPointer(r.baseAddress!)
                            let po = PixelDecoderPointer(o.baseAddress!), pa = PixelDecoderPointer(a.baseAddress!)
                            let pg = PixelDecoderPointer(g.baseAddress!), pout = PixelDecoderPointer(out.baseAddress!)
                            parallelFor(queries, grain: max(1, 4096 / max(M * L * P * D, 1))) { range in
                                sampleQueries(range, value: pv.value, reference: pr.value, offsets: po.value,
                                              weights: pa.value, geometry: pg.value, out: pout.value,
                                              levels: L, heads: M, points: P, headDim: D)
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The per-query loop of `deformableAttentionSample` for `range` of queries.
@inline(__always)
private func sampleQueries(_ range: Range<Int>, value: UnsafePointer<Float>, reference: UnsafePointer<Float>,
                           offsets: UnsafePointer<Float>, weights: UnsafePointer<Float>, geometry: UnsafePointer<Int>,
                           out: UnsafeMutablePointer<Float>, levels L: Int, heads M: Int, points P: Int, headDim D: Int) {
    let C = M * D, samples = M * L * P
    for q in range {
        let row = out + q * C
        row.update(repeating: 0, count: C)
        let rx = reference[2 * q], ry = reference[2 * q + 1]
        let qa = weights + q * samples, qo = offsets + q * samples * 2
        for m in 0..<M {
            let acc = row + m * D
            for l in 0..<L {
                let h = geometry[3 * l], w = geometry[3 * l + 1]
                let fh = Float(h), fw = Float(w)
                let map = value + geometry[3 * l + 2] * C + m * D
                for p in 0..<P {
                    let s = (m * L + l) * P + p
                    let attn = qa[s]
                    // grid_sample's unnormalisation of the grid 2·loc − 1 (align_corners=False).
                    let gx = 2 * (rx + qo[2 * s] / fw) - 1, gy = 2 * (ry + qo[2 * s + 1] / fh) - 1
                    let x = ((gx + 1) * fw - 1) / 2, y = ((gy + 1) * fh - 1) / 2
                    // Entirely outside (or NaN): every neighbour is padding. Also keeps Int() in range.
                    guard x > -1, y > -1, x < fw, y < fh else { continue }
                    let tx = Int(x), ty = Int(y)   // truncation; floor = trunc − 1 for negative non-integers
                    let x0 = tx - (x < Float(tx) ? 1 : 0), y0 = ty - (y < Float(ty) ? 1 : 0)
                    let x1 = x0 + 1, y1 = y0 + 1
                    let ax = x - Float(x0), ay = y - Float(y0)
                    let bx = Float(x1) - x, by = Float(y1) - y
                    // Corner weights as grid_sample forms them (nw = (x1 − x)(y1 − y), …), zeroed outside.
                    let inX0 = x0 >= 0, inX1 = x1 < w, inY0 = y0 >= 0, inY1 = y1 < h
                    let w00: Float = inX0 && inY0 ? attn * (bx * by) : 0
                    let w01: Float = inX1 && inY0 ? attn * (ax * by) : 0
                    let w10: Float = inX0 && inY1 ? attn * (bx * ay) : 0
                    let w11: Float = inX1 && inY1 ? attn * (ax * ay) : 0
                    let cx0 = inX0 ? x0 : x1, cx1 = inX1 ? x1 : x0
                    let cy0 = inY0 ? y0 : y1, cy1 = inY1 ? y1 : y0
                    let v00 = map + (cy0 * w + cx0) * C, v01 = map + (cy0 * w + cx1) * C
                    let v10 = map + (cy1 * w + cx0) * C, v11 = map + (cy1 * w + cx1) * C
                    for j in 0..<D {
                        acc[j] += w00 * v00[j] + w01 * v01[j] + w10 * v10[j] + w11 * v11[j]
                    }
                }
            }
        }
    }
}
