import Testing
import Tensor

/// `permute` by definition: out[i_0, …, i_{r−1}] = x[j] where source index j has component
/// axes[a] equal to i_a.
private func referencePermute(_ x: [Float], shape: [Int], axes: [Int]) -> [Float] {
    let rank = shape.count
    let outShape = axes.map { shape[$0] }
    var out = [Float](repeating: 0, count: x.count)
    var outIndex = [Int](repeating: 0, count: rank)
    for flat in 0..<x.count {
        var rem = flat
        for a in stride(from: rank - 1, through: 0, by: -1) {
            outIndex[a] = rem % outShape[a]
            rem /= outShape[a]
        }
        var src = [Int](repeating: 0, count: rank)
        for a in 0..<rank { src[axes[a]] = outIndex[a] }
        var j = 0
        for a in 0..<rank { j = j * shape[a] + src[a] }
        out[flat] = x[j]
    }
    return out
}

@Suite("Tensor layout: construction, indexing, reshape, permute, copy-on-write")
struct TensorLayoutTests {
    @Test("initialisers, count, rank and row-major indexing")
    func construction() {
        let t = Tensor(shape: [2, 3, 4], values: (0..<24).map(Float.init))
        #expect(t.count == 24 && t.rank == 3 && t.shape == [2, 3, 4])
        #expect(t[1, 2, 3] == 23 && t[1, 0, 0] == 12 && t[0, 2, 1] == 9)
        #expect(Tensor(shape: [2, 2], repeating: 1.5).scalars == [1.5, 1.5, 1.5, 1.5])
        #expect(Tensor(shape: [3]).scalars == [0, 0, 0])
        let s = Tensor(scalar: 4)
        #expect(s.shape == [] && s.rank == 0 && s.count == 1 && s.scalarValue == 4)
        #expect(Tensor(shape: [0, 5]).count == 0)
        #expect(Tensor(shape: [0], values: []).scalars.isEmpty)
        #expect(Tensor.elementCount([2, 3, 4]) == 24 && Tensor.elementCount([]) == 1 && Tensor.elementCount([3, 0]) == 0)
        let u = Tensor(shape: [2, 2]) { buf in for i in buf.indices { buf[i] = Float(i * i) } }
        #expect(u.scalars == [0, 1, 4, 9])
        #expect(t.description.hasPrefix("Tensor(shape: [2, 3, 4]"))
    }

    @Test("subscript set writes one element")
    func subscriptSet() {
        var t = Tensor(shape: [2, 3])
        t[1, 2] = 5
        t[0, 1] = -1
        #expect(t.scalars == [0, -1, 0, 0, 0, 5])
    }

    @Test("reshaped keeps the elements and infers one -1 extent")
    func reshape() {
        let t = Tensor(shape: [2, 3, 4], values: (0..<24).map(Float.init))
        #expect(t.reshaped([6, 4]).shape == [6, 4])
        #expect(t.reshaped([-1, 8]).shape == [3, 8])
        #expect(t.reshaped([2, -1]).shape == [2, 12])
        #expect(t.reshaped([24]).scalars == t.scalars)
        #expect(t.reshaped([4, 6])[3, 5] == 23)
    }

    @Test("permuted NCHW → NHWC on a hand-checked 1x2x2x3 example")
    func permuteHandChecked() {
        // x[0, c, h, w] = 6c + 3h + w. NHWC order runs (h, w, c).
        let x = Tensor(shape: [1, 2, 2, 3], values: (0..<12).map(Float.init))
        let y = x.permuted([0, 2, 3, 1])
        #expect(y.shape == [1, 2, 3, 2])
        #expect(y.scalars == [0, 6, 1, 7, 2, 8, 3, 9, 4, 10, 5, 11])
        // And a plain 2-D transpose.
        let m = Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6]).permuted([1, 0])
        #expect(m.shape == [3, 2] && m.scalars == [1, 4, 2, 5, 3, 6])
    }

    @Test("NCHW → NHWC → NCHW round trip is exact, and matches explicit index math")
    func permuteRoundTrip() {
        let (n, c, h, w) = (2, 3, 5, 7)
        let x = Tensor.random(shape: [n, c, h, w], seed: 1)
        let nhwc = x.permuted([0, 2, 3, 1])
        #expect(nhwc.shape == [n, h, w, c])
        #expect(nhwc.scalars == nchwToNHWC(x.scalars, n: n, c: c, h: h, w: w))
        let back = nhwc.permuted([0, 3, 1, 2])
        #expect(back.shape == [n, c, h, w])
        #expect(back.scalars == x.scalars)
    }

    @Test("arbitrary permutations against the definition", arguments: [
        [0], [1, 0], [2, 0, 1], [1, 2, 0], [0, 1, 2], [3, 1, 0, 2], [4, 2, 0, 3, 1], [1, 0, 2, 4, 3],
    ])
    func permuteGeneral(_ axes: [Int]) {
        let shapes: [[Int]] = [[7], [3, 5], [2, 3, 4], [], [3, 1, 4, 2], [2, 3, 1, 4, 2]]
        let shape = shapes.first { $0.count == axes.count }!
        let x = Tensor.random(shape: shape, seed: UInt64(axes.count))
        let y = x.permuted(axes)
        #expect(y.shape == axes.map { shape[$0] })
        #expect(y.scalars == referencePermute(x.scalars, shape: shape, axes: axes))
    }

    @Test("copy-on-write: mutating a copy leaves the original alone")
    func copyOnWrite() {
        let a = Tensor(shape: [2, 2], values: [1, 2, 3, 4])
        var b = a
        b[0, 0] = 100
        #expect(a.scalars == [1, 2, 3, 4])
        #expect(b.scalars == [100, 2, 3, 4])
        // A reshaped view shares storage until written.
        var r = a.reshaped([4])
        r[3] = -4
        #expect(a.scalars == [1, 2, 3, 4] && r.scalars == [1, 2, 3, -4])
        var c = a
        c.withUnsafeMutableBufferPointer { $0[1] = 7 }
        #expect(a[0, 1] == 2 && c[0, 1] == 7)
    }

    @Test("a tensor on borrowed (read-only) storage copies on its first write")
    func borrowedStorageCopiesOnWrite() {
        let owner = BorrowedFloats([1, 2, 3, 4, 5, 6])
        let storage = TensorStorage(borrowing: owner.pointer, count: 6, owner: owner)
        #expect(!storage.isWritable && storage.count == 6)
        // The tensor is the storage's only reference (no other variable holds it), so
        // isKnownUniquelyReferenced is true: only the read-only flag can force the copy.
        var t = Tensor(shape: [2, 3], storage: TensorStorage(borrowing: owner.pointer, count: 6, owner: owner))
        #expect(t.scalars == [1, 2, 3, 4, 5, 6]) // reads see the borrowed memory
        t[1, 1] = 50
        #expect(t.scalars == [1, 2, 3, 4, 50, 6])
        #expect(owner.values == [1, 2, 3, 4, 5, 6])
        t[0, 0] = 60 // the second write goes to the (now owned) copy
        #expect(t.scalars == [60, 2, 3, 4, 50, 6] && owner.values == [1, 2, 3, 4, 5, 6])
        var g = Tensor(shape: [6], storage: TensorStorage(borrowing: owner.pointer, count: 6, owner: owner))
        g.applyGELU()
        #expect(owner.values == [1, 2, 3, 4, 5, 6])
        var m = Tensor(shape: [6], storage: TensorStorage(borrowing: owner.pointer, count: 6, owner: owner))
        m.withUnsafeMutableBufferPointer { $0[2] = -1 }
        #expect(owner.values == [1, 2, 3, 4, 5, 6] && m[2] == -1)
        // Until written, the tensor reads the borrowed memory itself (no copy).
        let view = Tensor(shape: [2, 3], storage: storage)
        owner.pointer[0] = 9
        #expect(view[0, 0] == 9)
    }
}
