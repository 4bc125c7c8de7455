import Testing
import Tensor

/// Naive GEMM on the stored operands, in Double: C = alpha·op(A)·op(B) + beta·C with
/// op(A)[i][p] = ta ? A[p*lda + i] : A[i*lda + p] and op(B)[p][j] = tb ? B[j*ldb + p] : B[p*ldb + j].
private func referenceGEMM(ta: Bool, tb: Bool, m: Int, n: Int, k: Int, alpha: Double,
                           a: [Float], lda: Int, b: [Float], ldb: Int,
                           beta: Double, c: [Float], ldc: Int) -> [Double] {
    var out = c.map(Double.init)
    for i in 0..<m {
        for j in 0..<n {
            var s = 0.0
            for p in 0..<k {
                let av = Double(ta ? a[p * lda + i] : a[i * lda + p])
                let bv = Double(tb ? b[j * ldb + p] : b[p * ldb + j])
                s += av * bv
            }
            out[i * ldc + j] = alpha * s + (beta == 0 ? 0 : beta * Double(c[i * ldc + j]))
        }
    }
    return out
}

struct GEMMCase: Sendable, CustomTestStringConvertible {
    var m: Int, n: Int, k: Int
    var ta: Bool, tb: Bool
    var testDescription: String { "m\(m) n\(n) k\(k) \(ta ? "Aᵀ" : "A")·\(tb ? "Bᵀ" : "B")" }
}

/// All four transpose combinations on non-square shapes (m, n, k pairwise different, so a wrong
/// transpose or a swapped dimension cannot go unnoticed), plus degenerate 1-sized ones.
private let gemmCases: [GEMMCase] = {
    let shapes = [(1, 1, 1), (1, 7, 3), (5, 1, 9), (3, 7, 5), (17, 33, 7), (37, 29, 67), (2, 3, 1), (64, 48, 40)]
    return shapes.flatMap { s in
        [(false, false), (true, false), (false, true), (true, true)].map {
            GEMMCase(m: s.0, n: s.1, k: s.2, ta: $0.0, tb: $0.1)
        }
    }
}()

@Suite("sgemm / matmul / linear")
struct MatMulTests {
    @Test("sgemm matches a naive product (padded leading dimensions, alpha, beta)", arguments: gemmCases)
    func sgemmAgainstReference(_ c: GEMMCase) {
        // Stored shapes: A is [m, k] or [k, m]; B is [k, n] or [n, k]. Leading dimensions are
        // padded by 3 so that using the logical width instead of lda/ldb/ldc is caught.
        let (aRows, aCols) = c.ta ? (c.k, c.m) : (c.m, c.k)
        let (bRows, bCols) = c.tb ? (c.n, c.k) : (c.k, c.n)
        let lda = aCols + 3, ldb = bCols + 3, ldc = c.n + 3
        let a = randomFloats(aRows * lda, seed: 11 + UInt64(c.m))
        let b = randomFloats(bRows * ldb, seed: 23 + UInt64(c.n))
        let c0 = randomFloats(c.m * ldc, seed: 37 + UInt64(c.k))
        let alpha: Float = 0.75, beta: Float = -0.5
        var out = c0
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                out.withUnsafeMutableBufferPointer { pc in
                    sgemm(transposeA: c.ta, transposeB: c.tb, m: c.m, n: c.n, k: c.k, alpha: alpha,
                          a: pa.baseAddress!, lda: lda, b: pb.baseAddress!, ldb: ldb,
                          beta: beta, c: pc.baseAddress!, ldc: ldc)
                }
            }
        }
        let want = referenceGEMM(ta: c.ta, tb: c.tb, m: c.m, n: c.n, k: c.k, alpha: Double(alpha),
                                 a: a, lda: lda, b: b, ldb: ldb, beta: Double(beta), c: c0, ldc: ldc)
        // Only the m×n block of C may change; the padding columns must be untouched.
        var got = [Float](), wantBlock = [Double]()
        for i in 0..<c.m {
            for j in 0..<c.n {
                got.append(out[i * ldc + j])
                wantBlock.append(want[i * ldc + j])
            }
            for j in c.n..<ldc { #expect(out[i * ldc + j] == c0[i * ldc + j], "padding column \(j) of row \(i) was written") }
        }
        // float32 sums of k ≤ 67 products of values in [-1, 1]: typical relative error
        // ~√k·6e-8 ≈ 5e-7; 1e-5 leaves margin for blocked summation orders, while any
        // indexing/transpose error gives O(1).
        #expect(relativeL2(got, wantBlock) <= 1e-5)
    }

    @Test("sgemm with k = 0 computes beta·C (and beta = 0 clears NaN garbage)")
    func sgemmEmptyInnerDimension() {
        let a: [Float] = [1], b: [Float] = [1]
        var c: [Float] = [1, 2, 3, 4, 5, 6]
        sgemm(transposeA: false, transposeB: false, m: 2, n: 3, k: 0, alpha: 1, a: a, lda: 1, b: b, ldb: 3,
              beta: 2, c: &c, ldc: 3)
        #expect(c == [2, 4, 6, 8, 10, 12]) // exact: one multiplication by 2
        var d: [Float] = [.nan, .nan, .nan, .nan]
        sgemm(transposeA: false, transposeB: false, m: 2, n: 2, k: 0, alpha: 1, a: a, lda: 1, b: b, ldb: 2,
              beta: 0, c: &d, ldc: 2)
        #expect(d == [0, 0, 0, 0]) // BLAS semantics: beta = 0 means C is not read
    }

    @Test("matmul rank-2, all transpose combinations, non-square", arguments: [(false, false), (true, false), (false, true), (true, true)])
    func matmul2D(_ transposes: (Bool, Bool)) {
        let (ta, tb) = transposes
        let m = 7, n = 5, k = 11
        let a = Tensor.random(shape: ta ? [k, m] : [m, k], seed: 1)
        let b = Tensor.random(shape: tb ? [n, k] : [k, n], seed: 2)
        let y = Tensor.matmul(a, b, transposeA: ta, transposeB: tb, alpha: 1.5)
        #expect(y.shape == [m, n])
        let want = referenceGEMM(ta: ta, tb: tb, m: m, n: n, k: k, alpha: 1.5, a: a.scalars, lda: a.shape[1],
                                 b: b.scalars, ldb: b.shape[1], beta: 0, c: [Float](repeating: 0, count: m * n), ldc: n)
        // k = 11 float32 products: ~2e-7 typical; 1e-5 as for all GEMM-like ops.
        #expect(relativeL2(y.scalars, want) <= 1e-5)
    }

    @Test("matmul of a hand-computed 2x3 · 3x2 product (exact small integers)")
    func matmulHandChecked() {
        let a = Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
        let b = Tensor(shape: [3, 2], values: [7, 8, 9, 10, 11, 12])
        #expect(Tensor.matmul(a, b).scalars == [58, 64, 139, 154])
        // aᵀ·a is 3x3; a·aᵀ is 2x2: both exact in float32.
        #expect(Tensor.matmul(a, a, transposeA: true).scalars == [17, 22, 27, 22, 29, 36, 27, 36, 45])
        #expect(Tensor.matmul(a, a, transposeB: true).scalars == [14, 32, 32, 77])
    }

    struct BatchCase: Sendable, CustomTestStringConvertible {
        var aShape: [Int], bShape: [Int], ta: Bool, tb: Bool
        var testDescription: String { "\(aShape)\(ta ? "ᵀ" : "") · \(bShape)\(tb ? "ᵀ" : "")" }
    }

    @Test("batched matmul, including a rank-2 or batch-1 operand broadcast over the batch", arguments: [
        BatchCase(aShape: [3, 4, 6], bShape: [3, 6, 5], ta: false, tb: false),
        BatchCase(aShape: [3, 6, 4], bShape: [3, 5, 6], ta: true, tb: true),
        BatchCase(aShape: [2, 4, 6], bShape: [6, 5], ta: false, tb: false),
        BatchCase(aShape: [4, 6], bShape: [3, 6, 5], ta: false, tb: false),
        BatchCase(aShape: [6, 4], bShape: [3, 5, 6], ta: true, tb: true),
        BatchCase(aShape: [1, 4, 6], bShape: [3, 6, 5], ta: false, tb: false),
        BatchCase(aShape: [3, 4, 6], bShape: [1, 5, 6], ta: false, tb: true),
    ])
    func batched(_ c: BatchCase) {
        let a = Tensor.random(shape: c.aShape, seed: 5), b = Tensor.random(shape: c.bShape, seed: 6)
        let y = Tensor.matmul(a, b, transposeA: c.ta, transposeB: c.tb)
        let batchA = c.aShape.count == 3 ? c.aShape[0] : 1, batchB = c.bShape.count == 3 ? c.bShape[0] : 1
        let batch = max(batchA, batchB)
        let (ar, ac) = (c.aShape[c.aShape.count - 2], c.aShape[c.aShape.count - 1])
        let (br, bc) = (c.bShape[c.bShape.count - 2], c.bShape[c.bShape.count - 1])
        let (m, k) = c.ta ? (ac, ar) : (ar, ac)
        let n = c.tb ? br : bc
        #expect(y.shape == [batch, m, n])
        let av = a.scalars, bv = b.scalars
        var want = [Double]()
        for i in 0..<batch {
            let aSlice = Array(av[(batchA == 1 ? 0 : i * ar * ac)...].prefix(ar * ac))
            let bSlice = Array(bv[(batchB == 1 ? 0 : i * br * bc)...].prefix(br * bc))
            want += referenceGEMM(ta: c.ta, tb: c.tb, m: m, n: n, k: k, alpha: 1, a: aSlice, lda: ac,
                                  b: bSlice, ldb: bc, beta: 0, c: [Float](repeating: 0, count: m * n), ldc: n)
        }
        // k = 6: float32 error ~1e-7; 1e-5 as for all GEMM-like ops.
        #expect(relativeL2(y.scalars, want) <= 1e-5)
    }

    @Test("linear(weight: [out, in], bias:) over all leading axes", arguments: [
        [7], [1, 7], [5, 7], [2, 3, 7], [2, 1, 4, 7],
    ])
    func linear(_ inputShape: [Int]) {
        let inF = 7, outF = 9
        let x = Tensor.random(shape: inputShape, seed: 7)
        let w = Tensor.random(shape: [outF, inF], seed: 8)
        let bias = Tensor.random(shape: [outF], seed: 9)
        let rows = x.count / inF
        var wantNoBias = [Double](), wantBias = [Double]()
        let xv = x.scalars, wv = w.scalars, bv = bias.scalars
        for r in 0..<rows {
            for o in 0..<outF {
                var s = 0.0
                for i in 0..<inF { s += Double(xv[r * inF + i]) * Double(wv[o * inF + i]) }
                wantNoBias.append(s)
                wantBias.append(s + Double(bv[o]))
            }
        }
        let y0 = x.linear(weight: w)
        let y1 = x.linear(weight: w, bias: bias)
        #expect(y0.shape == Array(inputShape.dropLast()) + [outF])
        #expect(y1.shape == y0.shape)
        // 7-term float32 dot products (+ one bias add): ~1e-7; 1e-5 as for all GEMM-like ops.
        #expect(relativeL2(y0.scalars, wantNoBias) <= 1e-5)
        #expect(relativeL2(y1.scalars, wantBias) <= 1e-5)
    }

    @Test("linear with zero input features yields the bias (or zeros)")
    func linearEmptyInput() {
        let x = Tensor(shape: [3, 0])
        let w = Tensor(shape: [2, 0])
        let b = Tensor(shape: [2], values: [1.5, -2])
        #expect(x.linear(weight: w, bias: b).scalars == [1.5, -2, 1.5, -2, 1.5, -2])
        #expect(x.linear(weight: w).scalars == [0, 0, 0, 0, 0, 0])
    }
}
