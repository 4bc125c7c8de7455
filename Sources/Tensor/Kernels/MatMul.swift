import COpenBLAS

/// Row-major single-precision GEMM through OpenBLAS:
/// `C[m×n] = alpha · op(A) · op(B) + beta · C`, where op(A) is `[m×k]` (stored `[k×m]` when
/// transposed) and op(B) is `[k×n]` (stored `[n×k]` when transposed). Leading dimensions
/// are row strides in elements, so sub-matrices (a head's columns of a projection, a
/// group's channels) are multiplied in place.
@inlinable
public func sgemm(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                  a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                  beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
    guard m > 0, n > 0 else { return }
    if k == 0 {
        // Empty inner dimension: C = beta·C (BLAS would not read A or B either).
        for i in 0..<m {
            for j in 0..<n { c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j] }
        }
        return
    }
    cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
}

extension Tensor {
    /// Matrix product `op(a) · op(b)` of rank-2 `[m, k]·[k, n]` or batched rank-3
    /// `[B, m, k]·[B, k, n]` tensors; a rank-2 operand is shared by every batch entry.
    /// `transposeA`/`transposeB` read the operand as stored transposed (`[k, m]`, `[n, k]`).
    public static func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false,
                              alpha: Float = 1) -> Tensor {
        precondition((2...3).contains(a.rank) && (2...3).contains(b.rank),
                     "matmul needs rank-2 or rank-3 operands, got \(a.shape) and \(b.shape)")
        let batchA = a.rank == 3 ? a.shape[0] : 1, batchB = b.rank == 3 ? b.shape[0] : 1
        precondition(batchA == batchB || batchA == 1 || batchB == 1, "matmul batch mismatch \(a.shape) · \(b.shape)")
        let batch = max(batchA, batchB)
        let (ar, ac) = (a.shape[a.rank - 2], a.shape[a.rank - 1])
        let (br, bc) = (b.shape[b.rank - 2], b.shape[b.rank - 1])
        let (m, k) = transposeA ? (ac, ar) : (ar, ac)
        let (k2, n) = transposeB ? (bc, br) : (br, bc)
        precondition(k == k2, "matmul inner dimensions differ: \(a.shape)\(transposeA ? "ᵀ" : "") · \(b.shape)\(transposeB ? "ᵀ" : "")")
        let outShape = (a.rank == 3 || b.rank == 3) ? [batch, m, n] : [m, n]
        return a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                Tensor(shape: outShape) { pc in
                    for i in 0..<batch {
                        sgemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                              a: pa.baseAddress! + (batchA == 1 ? 0 : i * m * k), lda: ac,
                              b: pb.baseAddress! + (batchB == 1 ? 0 : i * k * n), ldb: bc,
                              beta: 0, c: pc.baseAddress! + i * m * n, ldc: n)
                    }
                }
            }
        }
    }

    /// A PyTorch `nn.Linear` over the last axis: `y[..., o] = Σ_i x[..., i]·W[o, i] + b[o]`
    /// with `weight` in the checkpoint's `[out, in]` layout. One GEMM over all leading axes.
    public func linear(weight: Tensor, bias: Tensor? = nil) -> Tensor {
        precondition(weight.rank == 2 && rank >= 1 && shape[rank - 1] == weight.shape[1],
                     "linear: input \(shape) does not match weight \(weight.shape)")
        let (outF, inF) = (weight.shape[0], weight.shape[1])
        if let bias { precondition(bias.count == outF, "linear: bias \(bias.shape) for \(outF) outputs") }
        let rows = shape.dropLast().reduce(1, *)
        var outShape = shape
        outShape[rank - 1] = outF
        return withUnsafeBufferPointer { x in
            weight.withUnsafeBufferPointer { w in
                Tensor(shape: outShape) { y in
                    if let bias {
                        bias.withUnsafeBufferPointer { b in
                            for r in 0..<rows { (y.baseAddress! + r * outF).initialize(from: b.baseAddress!, count: outF) }
                        }
                    }
                    sgemm(transposeA: false, transposeB: true, m: rows, n: outF, k: inF, alpha: 1,
                          a: x.baseAddress!, lda: inF, b: w.baseAddress!, ldb: inF,
                          beta: bias == nil ? 0 : 1, c: y.baseAddress!, ldc: outF)
                }
            }
        }
    }
}
