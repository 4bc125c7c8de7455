import Foundation
import Testing
import Tensor

/// `nn.LayerNorm` over the last axis in Double: (x − μ)/√(σ² + eps)·w + b with the biased variance.
private func referenceLayerNorm(_ x: [Float], c: Int, weight: [Float]?, bias: [Float]?, eps: Double) -> [Double] {
    var y = [Double](repeating: 0, count: x.count)
    for r in 0..<(x.count / c) {
        let row = x[(r * c)..<((r + 1) * c)].map(Double.init)
        let mean = row.reduce(0, +) / Double(c)
        let variance = row.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(c)
        for j in 0..<c {
            var v = (row[j] - mean) / (variance + eps).squareRoot()
            if let weight { v *= Double(weight[j]) }
            if let bias { v += Double(bias[j]) }
            y[r * c + j] = v
        }
    }
    return y
}

/// `nn.GroupNorm(G, C)` in Double, written on PyTorch's NCHW layout: for image n and group g the
/// statistics run over channels [g·C/G, (g+1)·C/G) and all H·W positions.
private func referenceGroupNormNCHW(_ x: [Float], n: Int, c: Int, spatial: Int, groups: Int,
                                    weight: [Float]?, bias: [Float]?, eps: Double) -> [Double] {
    let perGroup = c / groups
    var y = [Double](repeating: 0, count: x.count)
    for b in 0..<n {
        for g in 0..<groups {
            var values: [Double] = []
            for ch in (g * perGroup)..<((g + 1) * perGroup) {
                for s in 0..<spatial { values.append(Double(x[(b * c + ch) * spatial + s])) }
            }
            let mean = values.reduce(0, +) / Double(values.count)
            let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)
            let inv = 1 / (variance + eps).squareRoot()
            for ch in (g * perGroup)..<((g + 1) * perGroup) {
                for s in 0..<spatial {
                    let i = (b * c + ch) * spatial + s
                    var v = (Double(x[i]) - mean) * inv
                    if let weight { v *= Double(weight[ch]) }
                    if let bias { v += Double(bias[ch]) }
                    y[i] = v
                }
            }
        }
    }
    return y
}

struct GroupNormCase: Sendable, CustomTestStringConvertible {
    var n: Int, h: Int, w: Int, c: Int, groups: Int
    var affine = true
    var offset: Float = 0
    var testDescription: String { "N\(n) \(h)x\(w) C\(c) G\(groups)\(affine ? "" : " no-affine")\(offset == 0 ? "" : " offset \(offset)")" }
}

@Suite("layerNorm / groupNorm / l2Normalized")
struct NormalizationTests {
    @Test("layerNorm over the last axis", arguments: [
        ([4, 37], true), ([2, 3, 64], true), ([5, 1, 17], false), ([1, 1], true), ([3, 768], true),
    ])
    func layerNorm(_ shape: [Int], _ affine: Bool) {
        let c = shape.last!
        let x = Tensor.random(shape: shape, seed: UInt64(c), in: -3...3)
        let w = affine ? Tensor.random(shape: [c], seed: 2, in: 0.5...1.5) : nil
        let b = affine ? Tensor.random(shape: [c], seed: 3) : nil
        let y = x.layerNorm(weight: w, bias: b, eps: 1e-5)
        #expect(y.shape == shape)
        let want = referenceLayerNorm(x.scalars, c: c, weight: w?.scalars, bias: b?.scalars, eps: 1e-5)
        // Per element a handful of float32 roundings (subtract, scale, affine) on O(1) values:
        // ~3e-7 relative; 2e-6 relative L2 (elementwise-level tolerance). A wrong variance
        // (unbiased, missing eps, per-column) is off by ≥ 1e-3.
        #expect(relativeL2(y.scalars, want) <= 2e-6)
    }

    @Test("layerNorm of values 1000 + noise (variance cancellation)")
    func layerNormLargeOffset() {
        let c = 96
        let noise = randomFloats(4 * c, seed: 17)
        let x = Tensor(shape: [4, c], values: noise.map { 1000 + $0 })
        let w = Tensor.random(shape: [c], seed: 18, in: 0.5...1.5)
        let b = Tensor.random(shape: [c], seed: 19)
        let y = x.layerNorm(weight: w, bias: b, eps: 1e-6)
        let want = referenceLayerNorm(x.scalars, c: c, weight: w.scalars, bias: b.scalars, eps: 1e-6)
        // The reference uses the same (already float-quantised) inputs, so the only unavoidable
        // float32 error is the mean rounded to float: ≤ ulp(1000)/2 = 3.1e-5, divided by σ ≈ 0.58
        // and scaled by w ≤ 1.5: ≤ 8e-5 absolute. A one-pass E[x²] − E[x]² in float32 loses the
        // variance entirely (1e6·6e-8 ≈ 0.06 vs σ² ≈ 0.33) and is off by > 1e-2.
        #expect(maxAbsError(y.scalars, want) <= 1e-4)
        // Output rows are normalised: mean ≈ 0, variance ≈ 1 before the affine part.
        let plain = x.layerNorm(weight: nil, bias: nil, eps: 0).scalars
        for r in 0..<4 {
            let row = plain[(r * c)..<((r + 1) * c)].map(Double.init)
            let mean = row.reduce(0, +) / Double(c)
            let variance = row.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(c)
            #expect(abs(mean) <= 1e-4)          // same ulp(1000)/σ bound as above
            #expect(abs(variance - 1) <= 1e-4)
        }
    }

    @Test("layerNorm of a constant row is the bias (eps keeps it finite)")
    func layerNormConstantRow() {
        let x = Tensor(shape: [2, 5], repeating: 7)
        let b = Tensor(shape: [5], values: [1, 2, 3, 4, 5])
        let y = x.layerNorm(weight: Tensor(shape: [5], repeating: 3), bias: b, eps: 1e-5)
        #expect(y.scalars == [1, 2, 3, 4, 5, 1, 2, 3, 4, 5]) // exact: (x − μ) is exactly 0
    }

    @Test("groupNorm on NHWC against an NCHW per-(image, group) reference", arguments: [
        GroupNormCase(n: 2, h: 5, w: 7, c: 6, groups: 1),
        GroupNormCase(n: 2, h: 5, w: 7, c: 6, groups: 2),
        GroupNormCase(n: 2, h: 5, w: 7, c: 6, groups: 6),
        GroupNormCase(n: 1, h: 3, w: 3, c: 24, groups: 8, affine: false),
        GroupNormCase(n: 3, h: 1, w: 1, c: 4, groups: 2),
        GroupNormCase(n: 1, h: 9, w: 4, c: 17, groups: 17),
        // ≥ 2048 positions: the statistics are split over threads (partial sums per range).
        GroupNormCase(n: 2, h: 48, w: 50, c: 6, groups: 3),
        GroupNormCase(n: 1, h: 64, w: 40, c: 4, groups: 1),
        // A large common offset (variance cancellation) ...
        GroupNormCase(n: 2, h: 6, w: 5, c: 8, groups: 2, offset: 1000),
        GroupNormCase(n: 1, h: 48, w: 48, c: 4, groups: 4, offset: 1000),
    ])
    func groupNorm(_ t: GroupNormCase) {
        let spatial = t.h * t.w
        var xNCHW = randomFloats(t.n * t.c * spatial, seed: UInt64(t.c * 7 + t.groups))
        if t.offset != 0 {
            // ... different per channel so a wrong shift/mean per group is visible.
            for i in xNCHW.indices { xNCHW[i] += t.offset + Float((i / spatial) % t.c) * 0.5 }
        }
        let w = t.affine ? randomFloats(t.c, seed: 5, in: 0.5...1.5) : nil
        let b = t.affine ? randomFloats(t.c, seed: 6) : nil
        let x = Tensor(shape: [t.n, t.h, t.w, t.c], values: nchwToNHWC(xNCHW, n: t.n, c: t.c, h: t.h, w: t.w))
        let y = x.groupNorm(groups: t.groups, weight: w.map { Tensor(shape: [t.c], values: $0) },
                            bias: b.map { Tensor(shape: [t.c], values: $0) }, eps: 1e-5)
        #expect(y.shape == x.shape)
        let want = referenceGroupNormNCHW(xNCHW, n: t.n, c: t.c, spatial: spatial, groups: t.groups,
                                          weight: w, bias: b, eps: 1e-5)
        let got = nhwcToNCHW(y.scalars, n: t.n, h: t.h, w: t.w, c: t.c)
        if t.offset == 0 {
            // Elementwise-level float32 error on O(1) outputs: 2e-6 relative L2.
            #expect(relativeL2(got, want) <= 2e-6)
        } else {
            // Mean rounded to float near 1000: ≤ 3.1e-5/σ with σ ≥ 0.58 (x w ≤ 1.5) ≈ 8e-5 absolute.
            #expect(maxAbsError(got, want) <= 1e-4)
        }
    }

    @Test("groupNorm treats every image separately")
    func groupNormPerImage() {
        // Image 1 is image 0 scaled by 10 and shifted by 5: normalised outputs must be identical.
        let x0 = randomFloats(4 * 4 * 6, seed: 3)
        let x = Tensor(shape: [2, 4, 4, 6], values: x0 + x0.map { $0 * 10 + 5 })
        let y = x.groupNorm(groups: 3, weight: nil, bias: nil, eps: 0).scalars
        let a = Array(y[0..<96]), b = y[96...].map(Double.init)
        // Both are float32 computations of the same normalised values: ~1e-6 relative.
        #expect(relativeL2(a, b) <= 2e-6)
    }

    @Test("l2Normalized divides rows by their norm")
    func l2Normalized() {
        let c = 19
        let x = Tensor.random(shape: [3, 2, c], seed: 4)
        let y = x.l2Normalized()
        #expect(y.shape == x.shape)
        let xv = x.scalars
        var want = [Double]()
        for r in 0..<6 {
            let row = xv[(r * c)..<((r + 1) * c)].map(Double.init)
            let norm = row.reduce(0) { $0 + $1 * $1 }.squareRoot()
            want += row.map { $0 / norm }
        }
        // One division per element plus the norm rounded to float: ~1e-7; 2e-6 relative L2.
        #expect(relativeL2(y.scalars, want) <= 2e-6)
    }

    @Test("l2Normalized clamps the norm at eps (zero rows stay zero), eps 0 gives the plain quotient")
    func l2NormalizedEps() {
        let x = Tensor(shape: [3, 2], values: [0, 0, 3e-13, 4e-13, 3, 4])
        let y = x.l2Normalized(eps: 1e-12).scalars
        #expect(y[0] == 0 && y[1] == 0)
        // ‖(3e-13, 4e-13)‖ = 5e-13 < eps: divided by 1e-12 instead.
        #expect(abs(y[2] - 0.3) <= 1e-6 && abs(y[3] - 0.4) <= 1e-6)
        #expect(abs(y[4] - 0.6) <= 1e-7 && abs(y[5] - 0.8) <= 1e-7)
        let z = Tensor(shape: [1, 2], values: [3e-13, 4e-13]).l2Normalized(eps: 0).scalars
        #expect(abs(z[0] - 0.6) <= 1e-6 && abs(z[1] - 0.8) <= 1e-6)
    }
}
