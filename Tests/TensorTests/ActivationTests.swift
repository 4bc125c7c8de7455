import Foundation
import Testing
import Tensor

/// Evenly spaced floats from `lo` to `hi` inclusive.
private func linspace(_ lo: Double, _ hi: Double, _ count: Int) -> [Float] {
    (0..<count).map { Float(lo + (hi - lo) * Double($0) / Double(count - 1)) }
}

@Suite("gelu / relu / sigmoid")
struct ActivationTests {
    @Test("GELU matches 0.5·x·(1 + erf(x/√2)) in Double on [-10, 10]")
    func geluAccuracy() {
        let xs = linspace(-10, 10, 40_001)
        let y = Tensor(shape: [xs.count], values: xs).gelu()
        let want = xs.map { x -> Double in let d = Double(x); return 0.5 * d * (1 + Foundation.erf(d / 2.0.squareRoot())) }
        // A&S 7.1.26 is within 1.5e-7 of erf, times 0.5·|x| ≤ 5 where erf is not yet exactly ±1
        // (|x| ≲ 5.5), plus float32 rounding of the result (½ulp(10) ≈ 4.8e-7): 1e-6 absolute.
        // The tanh approximation (approximate="tanh") is off by up to ~3e-4 and fails this.
        #expect(maxAbsError(y.scalars, want) <= 1e-6)
    }

    @Test("gelu() returns a new tensor; applyGELU() works in place; special values")
    func geluSpecials() {
        let x = Tensor(shape: [6], values: [0, .infinity, -.infinity, .nan, 1, -1])
        let y = x.gelu()
        #expect(x.scalars[4] == 1) // the input is unchanged
        let v = y.scalars
        #expect(v[0] == 0)
        #expect(v[1] == .infinity)
        #expect(v[2].isNaN || v[2] == 0) // PyTorch gives nan (−inf·0); 0 is the limit
        #expect(v[3].isNaN)
        // GELU(1) = 0.8413447460685429, GELU(−1) = −0.15865525393145707.
        #expect(abs(Double(v[4]) - 0.8413447460685429) <= 1e-6)
        #expect(abs(Double(v[5]) + 0.15865525393145707) <= 1e-6)
        var z = x
        z.applyGELU()
        #expect(z.scalars[4] == v[4] && z.scalars[5] == v[5])
    }

    @Test("activations handle every length (16-lane tails, parallel chunks)", arguments: [1, 15, 16, 17, 33, 1000, 65_537, 200_003])
    func lengths(_ n: Int) {
        let x = Tensor.random(shape: [n], seed: UInt64(n), in: -6...6)
        let xv = x.scalars
        let g = x.gelu().scalars, r = x.relu().scalars, s = x.sigmoid().scalars
        let wantG = xv.map { v -> Double in let d = Double(v); return 0.5 * d * (1 + Foundation.erf(d / 2.0.squareRoot())) }
        let wantS = xv.map { 1 / (1 + Foundation.exp(-Double($0))) }
        #expect(maxAbsError(g, wantG) <= 1e-6)      // as in geluAccuracy
        #expect(r == xv.map { max($0, 0) })          // exact
        #expect(maxAbsError(s, wantS) <= 2e-7)      // see sigmoidAccuracy
    }

    @Test("ReLU is max(x, 0) exactly and keeps NaN")
    func relu() {
        let x = Tensor(shape: [2, 3], values: [-2, -0.5, 0, 0.5, 3, .nan])
        let y = x.relu().scalars
        #expect(Array(y.prefix(5)) == [0, 0, 0, 0.5, 3])
        #expect(y[5].isNaN) // torch.relu(nan) = nan
        var z = x
        z.applyReLU()
        #expect(Array(z.scalars.prefix(5)) == [0, 0, 0, 0.5, 3])
    }

    @Test("sigmoid matches 1/(1 + e^−x) in Double")
    func sigmoidAccuracy() {
        let xs = linspace(-30, 30, 20_001)
        let y = Tensor(shape: [xs.count], values: xs).sigmoid().scalars
        let want = xs.map { 1 / (1 + Foundation.exp(-Double($0))) }
        // exp is ~2 ulp, then an add and a division in float32: ≤ ~3 ulp of a value ≤ 1,
        // i.e. 2e-7 absolute; and ≤ 1e-6 relative where the result is small (x < 0).
        #expect(maxAbsError(y, want) <= 2e-7)
        var worstRel = 0.0
        for (g, w) in zip(y, want) { worstRel = max(worstRel, abs(Double(g) - w) / w) }
        #expect(worstRel <= 1e-6)
    }

    @Test("sigmoid saturates without NaN")
    func sigmoidExtremes() {
        let y = Tensor(shape: [7], values: [-.infinity, -1000, -100, 0, 100, 1000, .infinity]).sigmoid().scalars
        #expect(y[0] == 0 && y[1] == 0 && y[3] == 0.5 && y[4] == 1 && y[5] == 1 && y[6] == 1)
        // σ(−100) ≈ 3.7e-44 is subnormal in float32; flushing it to 0 (e^100 overflows) is fine.
        #expect(y[2] >= 0 && y[2] <= 1e-38)
    }

    @Test("sigmoid and applySigmoid agree; relu and applyReLU agree")
    func inPlaceVariants() {
        let x = Tensor.random(shape: [3, 7, 5], seed: 4, in: -8...8)
        var s = x
        s.applySigmoid()
        #expect(s.scalars == x.sigmoid().scalars)
        #expect(s.shape == x.shape)
        var r = x
        r.applyReLU()
        #expect(r.scalars == x.relu().scalars)
    }
}
