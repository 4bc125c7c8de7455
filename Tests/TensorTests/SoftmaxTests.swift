import Foundation
import Testing
import Tensor

/// Softmax of every row of length `n` in Double (max-subtracted; all −inf rows → zeros, as documented).
private func referenceSoftmax(_ x: [Float], n: Int) -> [Double] {
    var y = [Double]()
    for r in 0..<(x.count / n) {
        let row = x[(r * n)..<((r + 1) * n)].map(Double.init)
        let mx = row.max()!
        if mx == -.infinity {
            y += [Double](repeating: 0, count: n)
            continue
        }
        let e = row.map { Foundation.exp($0 - mx) }
        let s = e.reduce(0, +)
        y += e.map { $0 / s }
    }
    return y
}

@Suite("softmax")
struct SoftmaxTests {
    @Test("softmax over the last axis", arguments: [[1, 1], [4, 1], [3, 15], [3, 16], [5, 17], [2, 3, 37], [2, 100], [300, 50]])
    func againstReference(_ shape: [Int]) {
        let x = Tensor.random(shape: shape, seed: UInt64(shape.reduce(1, *)), in: -8...8)
        let y = x.softmax()
        #expect(y.shape == shape)
        // exp is ~2 ulp, then an n-term float sum and a multiply: ~1e-7 per element; 1e-6 relative L2.
        #expect(relativeL2(y.scalars, referenceSoftmax(x.scalars, n: shape.last!)) <= 1e-6)
        // The input is untouched; applySoftmax gives the same values in place.
        var z = x
        z.applySoftmax()
        #expect(z.scalars == y.scalars)
        #expect(x.scalars != y.scalars || shape.last == 1)
    }

    @Test("large logits do not overflow: [1000, 1001] → [0.2689, 0.7311]")
    func stability() {
        let y = Tensor(shape: [3, 2], values: [1000, 1001, -1000, -1001, 88, 89.5]).softmax().scalars
        #expect(!y.contains { $0.isNaN || $0.isInfinite })
        let a = 1 / (1 + Foundation.exp(1.0)) // 0.2689414213699951
        let b = 1 / (1 + Foundation.exp(-1.5))
        let want = [a, 1 - a, 1 - a, a, 1 - b, b]
        #expect(maxAbsError(y, want) <= 2e-7) // a few ulp of values < 1
    }

    @Test("a fully −inf row becomes zeros; partially masked rows renormalise over the rest")
    func masked() {
        let ninf = -Float.infinity
        let x = Tensor(shape: [3, 4], values: [ninf, ninf, ninf, ninf,
                                              0, ninf, 0, ninf,
                                              ninf, 5, ninf, ninf])
        let y = x.softmax().scalars
        #expect(Array(y[0..<4]) == [0, 0, 0, 0])        // documented: zeros rather than NaN
        #expect(Array(y[4..<8]) == [0.5, 0, 0.5, 0])    // exact: e^0 / 2
        #expect(Array(y[8..<12]) == [0, 1, 0, 0])
    }

    @Test("rows sum to 1 and keep their order")
    func rowSums() {
        let n = 33
        let y = Tensor.random(shape: [20, n], seed: 8, in: -20...20).softmax().scalars
        for r in 0..<20 {
            let s = y[(r * n)..<((r + 1) * n)].reduce(0.0) { $0 + Double($1) }
            #expect(abs(s - 1) <= 1e-6) // n = 33 float roundings of values ≤ 1
        }
    }
}
