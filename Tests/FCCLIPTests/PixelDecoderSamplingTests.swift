import FCCLIP
import Foundation
import Tensor
import Testing

/// Multi-scale deformable sampling against a plain-loop Double reference of
/// `ms_deform_attn_core_pytorch` (grid_sample, bilinear, zeros padding, align_corners=False).
@Suite struct PixelDecoderSamplingTests {
    /// Naive reference: for each query, head, level, point, sample the four neighbours of
    /// `loc·size − 0.5` with zero padding, all in Double.
    static func reference(value: [Float], shapes: [(height: Int, width: Int)], heads M: Int, points P: Int,
                          ref: [Float], offsets: [Float], weights: [Float]) -> [Double] {
        let L = shapes.count
        var starts: [Int] = [], n = 0
        for s in shapes { starts.append(n); n += s.height * s.width }
        let C = value.count / n, D = C / M, Q = ref.count / 2
        var out = [Double](repeating: 0, count: Q * C)
        for q in 0..<Q {
            for m in 0..<M {
                for l in 0..<L {
                    let (h, w) = shapes[l]
                    for p in 0..<P {
                        let s = ((q * M + m) * L + l) * P + p
                        let lx = Double(ref[2 * q]) + Double(offsets[2 * s]) / Double(w)
                        let ly = Double(ref[2 * q + 1]) + Double(offsets[2 * s + 1]) / Double(h)
                        let x = lx * Double(w) - 0.5, y = ly * Double(h) - 0.5
                        let x0 = Int(floor(x)), y0 = Int(floor(y))
                        for (yy, wy) in [(y0, Double(y0 + 1) - y), (y0 + 1, y - Double(y0))] {
                            for (xx, wx) in [(x0, Double(x0 + 1) - x), (x0 + 1, x - Double(x0))] {
                                guard xx >= 0, xx < w, yy >= 0, yy < h else { continue }
                                for j in 0..<D {
                                    let v = Double(value[(starts[l] + yy * w + xx) * C + m * D + j])
                                    out[q * C + m * D + j] += Double(weights[s]) * wy * wx * v
                                }
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    @Test func matchesNaiveReferenceWithOutOfMapSamples() {
        var rng = SystemRandomNumberGenerator()
        let shapes: [(height: Int, width: Int)] = [(2, 3), (4, 5), (7, 6), (1, 1)]
        let M = 3, P = 5, D = 7, C = M * D, L = shapes.count
        let levels = DeformableLevels(shapes: shapes)
        let Q = 29
        let value = (0..<(levels.tokens * C)).map { _ in Float.random(in: -1...1, using: &rng) }
        let ref = (0..<(Q * 2)).map { _ in Float.random(in: 0...1, using: &rng) }
        // Offsets up to ±6 pixels push many samples partly or wholly outside the maps.
        let offsets = (0..<(Q * M * L * P * 2)).map { _ in Float.random(in: -6...6, using: &rng) }
        var weights = (0..<(Q * M * L * P)).map { _ in Float.random(in: 0...1, using: &rng) }
        weights[0] = 2.5  // not necessarily normalised: the kernel only weights
        let got = deformableAttentionSample(
            value: Tensor(shape: [levels.tokens, C], values: value), levels: levels, heads: M, points: P,
            reference: Tensor(shape: [Q, 2], values: ref), offsets: Tensor(shape: [Q, M, L, P, 2], values: offsets),
            weights: Tensor(shape: [Q, M, L, P], values: weights))
        #expect(got.shape == [Q, C])
        let want = Self.reference(value: value, shapes: shapes, heads: M, points: P, ref: ref, offsets: offsets, weights: weights)
        let g = got.scalars
        var worst = 0.0, zeros = 0
        for i in 0..<want.count {
            worst = max(worst, abs(Double(g[i]) - want[i]))
            if want[i] == 0 { zeros += 1 }
        }
        #expect(worst < 1e-5, "max abs error \(worst)")
        // Samples entirely outside exist in this draw (offsets reach 6 pixels beyond 1-pixel maps).
        var outside = 0
        for q in 0..<Q {
            for m in 0..<M {
                for l in 0..<L {
                    for p in 0..<P {
                        let s = ((q * M + m) * L + l) * P + p
                        let x = (ref[2 * q] + offsets[2 * s] / Float(shapes[l].width)) * Float(shapes[l].width) - 0.5
                        if x <= -1 || x >= Float(shapes[l].width) { outside += 1 }
                    }
                }
            }
        }
        #expect(outside > 0)
    }

    /// One 2x2 single-channel map, one head, one point: hand-computed bilinear values.
    @Test func handCheckedTinyCase() {
        // Map (row-major): [[1, 2], [3, 4]].
        let levels = DeformableLevels(shapes: [(2, 2)])
        let value = Tensor(shape: [4, 1], values: [1, 2, 3, 4])
        func sample(_ px: Float, _ py: Float, weight: Float = 1) -> Float {
            // Reference at the map's normalised centre (0.5, 0.5) = pixel (0.5, 0.5); the
            // offset moves the sample to pixel (px, py).
            let out = deformableAttentionSample(value: value, levels: levels, heads: 1, points: 1,
                                                reference: Tensor(shape: [1, 2], values: [0.5, 0.5]),
                                                offsets: Tensor(shape: [1, 1, 1, 1, 2], values: [px - 0.5, py - 0.5]),
                                                weights: Tensor(shape: [1, 1, 1, 1], values: [weight]))
            return out[0, 0]
        }
        #expect(abs(sample(0, 0) - 1) < 1e-6)            // pixel centre
        #expect(abs(sample(1, 1) - 4) < 1e-6)
        #expect(abs(sample(0.5, 0.5) - 2.5) < 1e-6)      // centre of the four
        #expect(abs(sample(0.25, 0) - 1.25) < 1e-6)      // along the top row
        #expect(abs(sample(0, 1, weight: 0.5) - 1.5) < 1e-6)  // attention weight scales
        #expect(abs(sample(-0.5, 0) - 0.5) < 1e-6)       // half a pixel left: half of 1, half of padding
        #expect(abs(sample(1.5, 1.5) - 1) < 1e-6)        // quarter of 4
        #expect(abs(sample(-1, 0)) < 1e-6)               // a whole pixel outside: zero
        #expect(abs(sample(2, 1)) < 1e-6)
        #expect(abs(sample(-5, 7)) < 1e-6)
    }

    /// Two heads, two levels, two points: the head split of channels and the level offsets.
    @Test func headsAndLevelsSelectTheirChannelsAndMaps() {
        // Level 0: 1x2, level 1: 1x1. Channels: head 0 = c0, head 1 = c1.
        let levels = DeformableLevels(shapes: [(1, 2), (1, 1)])
        let value = Tensor(shape: [3, 2], values: [10, 20, 30, 40, 50, 60])
        // Query reference at level-0 pixel 0 centre: (0.25, 0.5).
        // head 0: level 0 point 0 at its own pixel (10), point 1 at pixel x = 1.5 (half of 30,
        //         half padding); level 1 points at the map centre (0.5, 0.5), i.e. Δx = 0.25.
        // head 1: everything at pixel 0 of each level.
        let offsets: [Float] = [
            0, 0, 1.5, 0,        // head 0, level 0: Δx in level-0 pixels
            0.25, 0, 0.25, 0,    // head 0, level 1: to (0.5, 0.5)
            0, 0, 0, 0,          // head 1, level 0
            0.25, 0, 0.25, 0,    // head 1, level 1
        ]
        let weights: [Float] = [0.1, 0.2, 0.3, 0.4, 0.25, 0.25, 0.25, 0.25]
        let out = deformableAttentionSample(value: value, levels: levels, heads: 2, points: 2,
                                            reference: Tensor(shape: [1, 2], values: [0.25, 0.5]),
                                            offsets: Tensor(shape: [1, 2, 2, 2, 2], values: offsets),
                                            weights: Tensor(shape: [1, 2, 2, 2], values: weights))
        // Δx = 1.5 at W = 2 moves loc to 1.0 → x pixel 1.5: half of pixel 1 (30), half padding = 15.
        // head 0: 0.1·10 + 0.2·15 + 0.3·50 + 0.4·50 = 1 + 3 + 15 + 20 = 39.
        #expect(abs(out[0, 0] - 39) < 1e-5)
        // head 1: 0.25·20 + 0.25·20 + 0.25·60 + 0.25·60 = 40.
        #expect(abs(out[0, 1] - 40) < 1e-5)
    }
}
