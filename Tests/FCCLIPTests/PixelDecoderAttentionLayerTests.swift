import FCCLIP
import Foundation
import ModelIO
import Tensor
import Testing

/// The whole `MSDeformAttn` layer (projections, per-head softmax over levels·points, sampling,
/// output projection) against a Double plain-loop reference.
@Suite struct PixelDecoderAttentionLayerTests {
    struct DictionarySource: TensorSource {
        let tensors: [String: Tensor]
        func tensor(_ key: String, shape: [Int]) throws -> Tensor {
            guard let t = tensors[key], t.shape == shape else { throw CancellationError() }
            return t
        }
        func contains(_ key: String) -> Bool { tensors[key] != nil }
    }

    static func linear(_ x: [Double], rows: Int, _ w: Tensor, _ b: Tensor) -> [Double] {
        let (o, i) = (w.shape[0], w.shape[1])
        let ws = w.scalars, bs = b.scalars
        var y = [Double](repeating: 0, count: rows * o)
        for r in 0..<rows {
            for a in 0..<o {
                var s = Double(bs[a])
                for k in 0..<i { s += x[r * i + k] * Double(ws[a * i + k]) }
                y[r * o + a] = s
            }
        }
        return y
    }

    @Test func matchesNaiveLayer() throws {
        let (d, M, P) = (12, 3, 2)
        let shapes: [(height: Int, width: Int)] = [(2, 2), (3, 5)]
        let L = shapes.count, S = M * L * P, D = d / M
        var rng = SeededRandom(seed: 11)
        let t: [String: Tensor] = [
            "sampling_offsets.weight": rng.uniform([2 * S, d], scale: 1), "sampling_offsets.bias": rng.uniform([2 * S], scale: 2),
            "attention_weights.weight": rng.uniform([S, d], scale: 1), "attention_weights.bias": rng.uniform([S], scale: 1),
            "value_proj.weight": rng.uniform([d, d], scale: 0.5), "value_proj.bias": rng.uniform([d], scale: 0.5),
            "output_proj.weight": rng.uniform([d, d], scale: 0.5), "output_proj.bias": rng.uniform([d], scale: 0.5),
        ]
        let layer = try MultiScaleDeformableAttention(Weights(DictionarySource(tensors: t)), dModel: d, heads: M, levels: L, points: P)
        let levels = DeformableLevels(shapes: shapes)
        let n = levels.tokens
        let src = rng.uniform([n, d], scale: 1), query = rng.uniform([n, d], scale: 1)
        let ref = levels.referencePoints()
        let got = layer(query: query, reference: ref, valueInput: src, spatial: levels)

        // Reference.
        let q = query.scalars.map(Double.init), v0 = src.scalars.map(Double.init), r = ref.scalars
        let value = Self.linear(v0, rows: n, t["value_proj.weight"]!, t["value_proj.bias"]!)
        let off = Self.linear(q, rows: n, t["sampling_offsets.weight"]!, t["sampling_offsets.bias"]!)
        var aw = Self.linear(q, rows: n, t["attention_weights.weight"]!, t["attention_weights.bias"]!)
        for row in 0..<(n * M) {
            let base = row * L * P
            let mx = (0..<(L * P)).map { aw[base + $0] }.max()!
            var sum = 0.0
            for k in 0..<(L * P) { aw[base + k] = exp(aw[base + k] - mx); sum += aw[base + k] }
            for k in 0..<(L * P) { aw[base + k] /= sum }
        }
        var sampled = [Double](repeating: 0, count: n * d)
        for i in 0..<n {
            for m in 0..<M {
                for l in 0..<L {
                    let (h, w) = shapes[l]
                    for p in 0..<P {
                        let s = (m * L + l) * P + p
                        let x = (Double(r[2 * i]) + off[(i * S + s) * 2] / Double(w)) * Double(w) - 0.5
                        let y = (Double(r[2 * i + 1]) + off[(i * S + s) * 2 + 1] / Double(h)) * Double(h) - 0.5
                        let x0 = Int(floor(x)), y0 = Int(floor(y))
                        for (yy, wy) in [(y0, Double(y0 + 1) - y), (y0 + 1, y - Double(y0))] {
                            for (xx, wx) in [(x0, Double(x0 + 1) - x), (x0 + 1, x - Double(x0))] where xx >= 0 && xx < w && yy >= 0 && yy < h {
                                for j in 0..<D {
                                    sampled[i * d + m * D + j] += aw[i * S + s] * wy * wx * value[(levels.starts[l] + yy * w + xx) * d + m * D + j]
                                }
                            }
                        }
                    }
                }
            }
        }
        let want = Self.linear(sampled, rows: n, t["output_proj.weight"]!, t["output_proj.bias"]!)
        let g = got.scalars
        var num = 0.0, den = 0.0
        for k in 0..<want.count { num += (Double(g[k]) - want[k]) * (Double(g[k]) - want[k]); den += want[k] * want[k] }
        let rel = (num / den).squareRoot()
        #expect(got.shape == [n, d])
        #expect(rel < 1e-5, "relative L2 \(rel)")
    }
}
