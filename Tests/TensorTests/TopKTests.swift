import Testing
import Tensor

/// The first k flat indices after a full stable sort: NaN first (by index), then descending value,
/// equal values by ascending index.
private func referenceTopK(_ x: [Float], _ k: Int) -> [Int] {
    let order = x.indices.sorted { i, j in
        let (a, b) = (x[i], x[j])
        if a.isNaN || b.isNaN { return a.isNaN && b.isNaN ? i < j : a.isNaN }
        return a != b ? a > b : i < j
    }
    return Array(order.prefix(k))
}

@Suite("topK")
struct TopKTests {
    @Test("ties keep index order (lower index first)")
    func ties() {
        let r = Tensor(shape: [5], values: [1, 3, 3, 2, 3]).topK(3)
        #expect(r.values == [3, 3, 3])
        #expect(r.indices == [1, 2, 4])
        let s = Tensor(shape: [6], values: [2, 2, 2, 2, 2, 2]).topK(4)
        #expect(s.indices == [0, 1, 2, 3])
    }

    @Test("NaN ranks above every number, including +inf")
    func nanFirst() {
        let r = Tensor(shape: [6], values: [1, .nan, .infinity, 5, .nan, -.infinity]).topK(4)
        #expect(r.indices == [1, 4, 2, 3])
        #expect(r.values[0].isNaN && r.values[1].isNaN && Array(r.values[2...]) == [.infinity, 5])
    }

    @Test("k = 0 and k ≥ count")
    func bounds() {
        let x = Tensor(shape: [2, 2], values: [0.5, -1, 4, 0.5])
        #expect(x.topK(0).values.isEmpty && x.topK(0).indices.isEmpty)
        let all = x.topK(10)
        #expect(all.indices == [2, 0, 3, 1])
        #expect(all.values == [4, 0.5, 0.5, -1])
    }

    @Test("indices are flat row-major indices of a multi-dimensional tensor")
    func flatIndices() {
        var x = Tensor(shape: [3, 4, 5])
        x[2, 1, 3] = 9
        x[0, 3, 0] = 8
        x[1, 0, 4] = 7
        let r = x.topK(3)
        #expect(r.indices == [2 * 20 + 1 * 5 + 3, 3 * 5, 20 + 4])
        #expect(r.values == [9, 8, 7])
    }

    @Test("random data with many duplicates against a full stable sort", arguments: [1, 5, 17, 100, 999])
    func againstSort(_ k: Int) {
        var rng = SplitMix64(seed: UInt64(k))
        // Values drawn from 40 levels so ties are common; a few NaNs and infinities mixed in.
        var values = (0..<1000).map { _ in Float(rng.nextInt(in: -20...19)) / 4 }
        for i in stride(from: 13, to: 1000, by: 97) { values[i] = .nan }
        values[500] = .infinity
        values[501] = -.infinity
        let r = Tensor(shape: [10, 100], values: values).topK(k)
        let want = referenceTopK(values, k)
        #expect(r.indices == want)
        #expect(zip(r.values, want).allSatisfy { v, i in v == values[i] || (v.isNaN && values[i].isNaN) })
    }
}
