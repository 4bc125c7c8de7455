import Testing
import Tensor

@Suite("add / addChannels / multiplyChannels / scale")
struct ElementwiseTests {
    // One float32 operation per element, so results are compared exactly with the same
    // operation done on plain arrays (IEEE addition and multiplication are correctly rounded).

    @Test("add and + are elementwise sums", arguments: [[1], [7], [3, 5, 17], [200_003]])
    func add(_ shape: [Int]) {
        let a = Tensor.random(shape: shape, seed: 1), b = Tensor.random(shape: shape, seed: 2)
        let want = zip(a.scalars, b.scalars).map { $0 + $1 }
        #expect((a + b).scalars == want)
        #expect((a + b).shape == shape)
        var c = a
        c.add(b)
        #expect(c.scalars == want)
    }

    @Test("x.add(x) doubles x (self-aliasing), and copies are not affected")
    func addSelf() {
        var x = Tensor.random(shape: [4, 9], seed: 3)
        let original = x
        x.add(x)
        #expect(x.scalars == original.scalars.map { $0 + $0 })
        #expect(original.scalars != x.scalars)
    }

    @Test("addChannels and multiplyChannels act on the last axis", arguments: [[2, 3, 4, 5], [7, 1], [1, 33], [64, 64, 17]])
    func channels(_ shape: [Int]) {
        let c = shape.last!
        let x = Tensor.random(shape: shape, seed: 4)
        let bias = Tensor.random(shape: [c], seed: 5), scale = Tensor.random(shape: [c], seed: 6)
        let xv = x.scalars, bv = bias.scalars, sv = scale.scalars
        var y = x
        y.addChannels(bias)
        #expect(y.scalars == xv.indices.map { xv[$0] + bv[$0 % c] })
        var z = x
        z.multiplyChannels(scale)
        #expect(z.scalars == xv.indices.map { xv[$0] * sv[$0 % c] })
        #expect(x.scalars == xv) // the original is untouched (copy-on-write)
    }

    @Test("scale(by:) multiplies every element", arguments: [[5], [100_000], [3, 7, 11]])
    func scale(_ shape: [Int]) {
        var x = Tensor.random(shape: shape, seed: 7)
        let xv = x.scalars
        x.scale(by: -0.375)
        #expect(x.scalars == xv.map { $0 * -0.375 })
    }

    @Test("mutating kernels on borrowed read-only storage copy first")
    func borrowedStorage() {
        let owner = BorrowedFloats([1, 2, 3, 4, 5, 6])
        // Each tensor is its storage's only reference, so only the read-only flag forces the copy.
        func borrowed() -> Tensor { Tensor(shape: [2, 3], storage: TensorStorage(borrowing: owner.pointer, count: 6, owner: owner)) }
        var a = borrowed()
        a.add(Tensor(shape: [2, 3], repeating: 1))
        var b = borrowed()
        b.addChannels(Tensor(shape: [3], values: [1, 1, 1]))
        var c = borrowed()
        c.multiplyChannels(Tensor(shape: [3], values: [2, 2, 2]))
        var d = borrowed()
        d.scale(by: 0.5)
        #expect(a.scalars == [2, 3, 4, 5, 6, 7] && b.scalars == a.scalars)
        #expect(c.scalars == [2, 4, 6, 8, 10, 12] && d.scalars == [0.5, 1, 1.5, 2, 2.5, 3])
        #expect(owner.values == [1, 2, 3, 4, 5, 6]) // the borrowed memory was never written
    }
}
