/// Which keys each query may attend to, added to the attention scores before the softmax.
public struct AttentionMask: Sendable {
    enum Storage: Sendable {
        case blocked([Bool])
        case additive(Tensor)
        case causal
    }
    let storage: Storage
    /// `[Lq, Lk]` (shared by every batch entry and head), `[heads, Lq, Lk]`, or
    /// `[B·heads, Lq, Lk]` (PyTorch's 3-D mask layout, index `b·heads + h`); empty for `.causal`.
    public let shape: [Int]

    /// A boolean mask in PyTorch's convention: `true` means the query may **not** attend to
    /// that key (its score becomes -inf).
    public static func blocked(_ values: [Bool], shape: [Int]) -> AttentionMask {
        precondition(values.count == Tensor.elementCount(shape) && (2...3).contains(shape.count),
                     "blocked mask of \(values.count) values for shape \(shape)")
        return AttentionMask(storage: .blocked(values), shape: shape)
    }

    /// A float mask added to the scores (use -inf to block).
    public static func additive(_ mask: Tensor) -> AttentionMask {
        precondition((2...3).contains(mask.rank), "additive mask must be rank 2 or 3, got \(mask.shape)")
        return AttentionMask(storage: .additive(mask), shape: mask.shape)
    }

    /// Query i attends to keys 0...i only (CLIP's text transformer).
    public static let causal = AttentionMask(storage: .causal, shape: [])
}

extension Tensor {
    /// Multi-head scaled dot-product attention on already projected inputs:
    /// for each batch entry b and head h (channels `[h·d, (h+1)·d)`),
    /// `out_h = softmax(q_h·k_hᵀ / √d + mask) · v_h`, heads concatenated.
    ///
    /// `query` is `[B, Lq, E]` (or `[Lq, E]`), `key` `[B, Lk, E]`, `value` `[B, Lk, Ev]`; the
    /// result is `[B, Lq, Ev]` (or `[Lq, Ev]`). Lq and Lk may differ (cross-attention).
    /// Scores are computed by GEMMs that read each head's columns in place, in bands of
    /// query rows so the score buffer stays small. A query row whose keys are all blocked
    /// gets zeros (PyTorch would produce NaN).
    public static func attention(query: Tensor, key: Tensor, value: Tensor, heads: Int,
                                 mask: AttentionMask? = nil) -> Tensor {
        let batched = query.rank == 3
        let q3 = batched ? query : query.reshaped([1] + query.shape)
        let k3 = key.rank == 3 ? key : key.reshaped([1] + key.shape)
        let v3 = value.rank == 3 ? value : value.reshaped([1] + value.shape)
        precondition(q3.rank == 3 && k3.rank == 3 && v3.rank == 3, "attention: bad ranks \(query.shape) \(key.shape) \(value.shape)")
        let (b, lq, e) = (q3.shape[0], q3.shape[1], q3.shape[2])
        let (lk, ev) = (k3.shape[1], v3.shape[2])
        precondition(k3.shape[0] == b && v3.shape[0] == b && k3.shape[2] == e && v3.shape[1] == lk,
                     "attention: shapes disagree: query \(query.shape), key \(key.shape), value \(value.shape)")
        precondition(heads > 0 && e % heads == 0 && ev % heads == 0, "attention: \(e)/\(ev) channels not divisible by \(heads) heads")
        let d = e / heads, dv = ev / heads
        if let mask, !mask.shape.isEmpty {
            let lead = mask.shape.count == 3 ? mask.shape[0] : 1
            precondition(mask.shape.suffix(2) == [lq, lk] && (lead == 1 || lead == heads || lead == b * heads),
                         "attention mask \(mask.shape) does not fit \(b) batch × \(heads) heads × [\(lq), \(lk)]")
        }
        let scale = 1 / Float(d).squareRoot()
        let band = max(1, min(lq, (4 << 20) / max(lk, 1)))
        var scores = [Float](repeating: 0, count: band * lk)
        let out = q3.withUnsafeBufferPointer { pq in
            k3.withUnsafeBufferPointer { pk in
                v3.withUnsafeBufferPointer { pv in
                    Tensor(shape: [b, lq, ev]) { po in
                        scores.withUnsafeMutableBufferPointer { sBuf in
                            let s = UncheckedSendable(sBuf.baseAddress!)
                            for bi in 0..<b {
                                for h in 0..<heads {
                                    var q0 = 0
                                    while q0 < lq {
                                        let rows = min(band, lq - q0)
                                        sgemm(transposeA: false, transposeB: true, m: rows, n: lk, k: d, alpha: scale,
                                              a: pq.baseAddress! + (bi * lq + q0) * e + h * d, lda: e,
                                              b: pk.baseAddress! + bi * lk * e + h * d, ldb: e,
                                              beta: 0, c: s.value, ldc: lk)
                                        parallelFor(rows, grain: max(1, 4096 / max(lk, 1))) { range in
                                            for r in range {
                                                let row = s.value + r * lk
                                                if let mask { mask.apply(to: row, query: q0 + r, keys: lk, queries: lq, batch: bi, head: h, heads: heads) }
                                                softmaxRow(row, lk)
                                            }
                                        }
                                        sgemm(transposeA: false, transposeB: false, m: rows, n: dv, k: lk, alpha: 1,
                                              a: s.value, lda: lk,
                                              b: pv.baseAddress! + bi * lk * ev + h * dv, ldb: ev,
                                              beta: 0, c: po.baseAddress! + (bi * lq + q0) * ev + h * dv, ldc: ev)
                                        q0 += rows
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return batched ? out : out.reshaped([lq, ev])
    }
}

extension AttentionMask {
    /// Adds this mask's row for (batch, head, query) to `row` of `keys` scores.
    @inline(__always)
    func apply(to row: UnsafeMutablePointer<Float>, query: Int, keys: Int, queries: Int, batch: Int, head: Int, heads: Int) {
        let plane: Int
        if shape.count == 3 {
            plane = shape[0] == 1 ? 0 : (shape[0] == heads ? head : batch * heads + head)
        } else {
            plane = 0
        }
        let offset = (plane * queries + query) * keys
        switch storage {
        case .causal:
            for j in (query + 1)..<max(keys, query + 1) { row[j] = -.infinity }
        case .blocked(let values):
            values.withUnsafeBufferPointer { m in
                for j in 0..<keys where m[offset + j] { row[j] = -.infinity }
            }
        case .additive(let t):
            t.withUnsafeBufferPointer { m in
                for j in 0..<keys { row[j] += m[offset + j] }
            }
        }
    }
}

/// The weights of a PyTorch `nn.MultiheadAttention` (stacked `in_proj_weight` `[3E, E]` with
/// rows q, k, v; `in_proj_bias` `[3E]`; `out_proj` `[E, E]`), split once into the three
/// projections.
public struct MultiheadAttentionWeights: Sendable {
    public let heads: Int
    let wq, wk, wv, bq, bk, bv, wo: Tensor
    let bo: Tensor?

    public init(inProjWeight: Tensor, inProjBias: Tensor, outProjWeight: Tensor, outProjBias: Tensor?, heads: Int) {
        precondition(inProjWeight.rank == 2 && inProjWeight.shape[0] == 3 * inProjWeight.shape[1],
                     "in_proj_weight must be [3E, E], got \(inProjWeight.shape)")
        let e = inProjWeight.shape[1]
        precondition(inProjBias.count == 3 * e && outProjWeight.shape == [e, e], "MHA weights do not fit E = \(e)")
        self.heads = heads
        let w = inProjWeight.scalars, b = inProjBias.scalars
        wq = Tensor(shape: [e, e], values: Array(w[0..<(e * e)]))
        wk = Tensor(shape: [e, e], values: Array(w[(e * e)..<(2 * e * e)]))
        wv = Tensor(shape: [e, e], values: Array(w[(2 * e * e)...]))
        bq = Tensor(shape: [e], values: Array(b[0..<e]))
        bk = Tensor(shape: [e], values: Array(b[e..<(2 * e)]))
        bv = Tensor(shape: [e], values: Array(b[(2 * e)...]))
        wo = outProjWeight
        bo = outProjBias
    }

    /// `out_proj(attention(q·Wqᵀ + bq, k·Wkᵀ + bk, v·Wvᵀ + bv))` as `nn.MultiheadAttention`
    /// computes it (batch-first `[B, L, E]` or unbatched `[L, E]`).
    public func callAsFunction(query: Tensor, key: Tensor, value: Tensor, mask: AttentionMask? = nil) -> Tensor {
        let q = query.linear(weight: wq, bias: bq)
        let k = key.linear(weight: wk, bias: bk)
        let v = value.linear(weight: wv, bias: bv)
        return Tensor.attention(query: q, key: k, value: v, heads: heads, mask: mask).linear(weight: wo, bias: bo)
    }
}
