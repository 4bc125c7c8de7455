import Foundation
import Testing
import Tensor

/// Applies a 16-lane function to an array through VectorMath.map.
private func mapped(_ xs: [Float], _ f: (FloatVector) -> FloatVector) -> [Float] {
    var ys = xs
    ys.withUnsafeMutableBufferPointer { VectorMath.map($0, f) }
    return ys
}

@Suite("VectorMath")
struct VectorMathTests {
    @Test("exp is within 5e-7 relative of Double exp on [-87, 88]")
    func expAccuracy() {
        var xs = (0..<175_001).map { Float(-87 + Double($0) * 175 / 175_000) }
        var rng = SplitMix64(seed: 1)
        xs += (0..<50_000).map { _ in rng.nextFloat(in: -87...88) }
        xs += (0..<2_000).map { _ in rng.nextFloat(in: -1e-3...1e-3) }
        let ys = mapped(xs, VectorMath.exp)
        var worst = 0.0, worstX: Float = 0
        for (x, y) in zip(xs, ys) {
            let want = Foundation.exp(Double(x))
            let rel = abs(Double(y) - want) / want
            if !(rel <= worst) { worst = rel; worstX = x }
        }
        // Documented ~2 ulp (2.4e-7); 5e-7 leaves margin for the 2^n scaling and polynomial.
        #expect(worst <= 5e-7, "worst relative error \(worst) at x = \(worstX)")
    }

    @Test("exp special values: −inf → 0, −100 → 0, 0 → 1, large → +inf, NaN → NaN")
    func expSpecials() {
        let xs: [Float] = [-.infinity, -100, -87.5, 0, 89, 1000, .infinity, .nan, 1, -1, 88.5, -87]
        let y = mapped(xs, VectorMath.exp)
        #expect(y[0] == 0 && y[1] == 0 && y[2] == 0) // documented flush below −87.33
        #expect(y[3] == 1)
        #expect(y[4] == .infinity && y[5] == .infinity && y[6] == .infinity)
        #expect(y[7].isNaN)
        #expect(abs(Double(y[8]) - M_E) / M_E <= 5e-7)
        #expect(abs(Double(y[9]) - 1 / M_E) * M_E <= 5e-7)
        #expect(y[10].isFinite && abs(Double(y[10]) / Foundation.exp(88.5) - 1) <= 5e-7)
        #expect(y[11].isNormal && abs(Double(y[11]) / Foundation.exp(-87.0) - 1) <= 5e-7)
    }

    @Test("erf is within A&S 7.1.26's 1.5e-7 (plus float32 evaluation error) of Double erf")
    func erfAccuracy() {
        let xs = (0..<60_001).map { Float(-6 + Double($0) * 12 / 60_000) }
        let ys = mapped(xs, VectorMath.erf)
        let want = xs.map { Foundation.erf(Double($0)) }
        // The formula itself is within 1.5e-7 (exact arithmetic). Evaluated in float32, the last
        // step 1 − poly·e^(−x²) cancels for small |x| (poly·e^(−x²) → 1), leaving the rounding
        // errors of poly and exp, a few ulp(1) ≈ 6e-8 each: measured 4.6e-7 near |x| ≈ 0.04
        // (numpy float32 replica: 5.2e-7). 6e-7 absolute; a wrong coefficient is off by ≳ 1e-5.
        #expect(maxAbsError(ys, want) <= 6e-7)
        // Away from the cancellation the float32 result is close to the documented bound.
        let far = xs.indices.filter { abs(xs[$0]) >= 1 }
        #expect(maxAbsError(far.map { ys[$0] }, far.map { want[$0] }) <= 2.5e-7)
        // Odd symmetry is exact by construction.
        let neg = mapped(xs.map { -$0 }, VectorMath.erf)
        #expect(zip(ys, neg).allSatisfy { $0 == -$1 })
    }

    @Test("erf special values")
    func erfSpecials() {
        let y = mapped([0, .infinity, -.infinity, .nan, 10, -10], VectorMath.erf)
        #expect(abs(y[0]) <= 1e-7)
        #expect(y[1] == 1 && y[2] == -1 && y[4] == 1 && y[5] == -1)
        #expect(y[3].isNaN)
    }

    @Test("map handles every length: full vectors and a ragged tail", arguments: [0, 1, 15, 16, 17, 31, 32, 33, 100])
    func mapLengths(_ n: Int) {
        let xs = (0..<n).map { Float($0) }
        #expect(mapped(xs) { $0 * 2 + 1 } == xs.map { $0 * 2 + 1 }) // exact small integers
    }
}
