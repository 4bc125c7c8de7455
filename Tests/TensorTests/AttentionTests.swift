import Foundation
import Testing
import Tensor

/// The mask as the reference sees it: a Double to add per (plane, query, key), −inf meaning blocked.
private enum ReferenceMask {
    case none
    case causal
    /// `values` of shape `[planes, Lq, Lk]` (`planes` = 1 for a 2-D mask).
    case table(values: [Double], planes: Int)
}

/// Scaled dot-product attention by definition, in Double, on `[B, L, E]` tensors:
/// for batch b, head h, query i: s_j = Σ_t q[b,i,h·d+t]·k[b,j,h·d+t]/√d + mask, p = softmax(s),
/// out[b,i,h·dv+u] = Σ_j p_j·v[b,j,h·dv+u]; a row with every key blocked gives zeros.
/// 3-D masks are indexed like PyTorch's: plane 0 if there is one, else h if there are `heads`,
/// else b·heads + h.
private func referenceAttention(q: [Float], k: [Float], v: [Float], b: Int, lq: Int, lk: Int, e: Int, ev: Int,
                                heads: Int, mask: ReferenceMask) -> [Double] {
    let d = e / heads, dv = ev / heads
    var out = [Double](repeating: 0, count: b * lq * ev)
    for bi in 0..<b {
        for h in 0..<heads {
            for i in 0..<lq {
                var s = [Double](repeating: 0, count: lk)
                for j in 0..<lk {
                    var dot = 0.0
                    for t in 0..<d { dot += Double(q[(bi * lq + i) * e + h * d + t]) * Double(k[(bi * lk + j) * e + h * d + t]) }
                    s[j] = dot / Double(d).squareRoot()
                    switch mask {
                    case .none: break
                    case .causal: if j > i { s[j] = -.infinity }
                    case .table(let values, let planes):
                        let plane = planes == 1 ? 0 : (planes == heads ? h : bi * heads + h)
                        s[j] += values[(plane * lq + i) * lk + j]
                    }
                }
                let mx = s.max()!
                guard mx > -.infinity else { continue } // fully blocked: zeros
                let p = s.map { Foundation.exp($0 - mx) }
                let total = p.reduce(0, +)
                for u in 0..<dv {
                    var acc = 0.0
                    for j in 0..<lk { acc += p[j] * Double(v[(bi * lk + j) * ev + h * dv + u]) }
                    out[(bi * lq + i) * ev + h * dv + u] = acc / total
                }
            }
        }
    }
    return out
}

struct AttentionCase: Sendable, CustomTestStringConvertible {
    var b: Int, lq: Int, lk: Int, e: Int, ev: Int, heads: Int
    var testDescription: String { "B\(b) Lq\(lq) Lk\(lk) E\(e) Ev\(ev) heads\(heads)" }
}

private let attentionCases: [AttentionCase] = [
    AttentionCase(b: 1, lq: 5, lk: 5, e: 8, ev: 8, heads: 1),
    AttentionCase(b: 2, lq: 7, lk: 13, e: 12, ev: 6, heads: 3),   // cross-attention, Ev ≠ E
    AttentionCase(b: 3, lq: 17, lk: 33, e: 16, ev: 16, heads: 4),
    AttentionCase(b: 2, lq: 40, lk: 3, e: 6, ev: 10, heads: 2),   // Lq > Lk
    AttentionCase(b: 1, lq: 1, lk: 40, e: 32, ev: 32, heads: 8),
    AttentionCase(b: 2, lq: 9, lk: 1, e: 4, ev: 4, heads: 2),     // one key: output = v
]

/// Runs the kernel on random q/k/v and compares with the reference.
private func checkAttention(_ c: AttentionCase, mask: AttentionMask?, referenceMask: ReferenceMask, seed: UInt64,
                            comment: Comment? = nil) {
    let q = Tensor.random(shape: [c.b, c.lq, c.e], seed: seed, in: -2...2)
    let k = Tensor.random(shape: [c.b, c.lk, c.e], seed: seed + 1, in: -2...2)
    let v = Tensor.random(shape: [c.b, c.lk, c.ev], seed: seed + 2)
    let y = Tensor.attention(query: q, key: k, value: v, heads: c.heads, mask: mask)
    #expect(y.shape == [c.b, c.lq, c.ev], comment)
    let want = referenceAttention(q: q.scalars, k: k.scalars, v: v.scalars, b: c.b, lq: c.lq, lk: c.lk,
                                  e: c.e, ev: c.ev, heads: c.heads, mask: referenceMask)
    // Two float32 GEMMs (K = d ≤ 8 and K = Lk ≤ 40) around a float softmax: ~√40·6e-8 ≈ 4e-7
    // typical; 1e-5 relative L2 as for GEMM-like ops. A wrong head offset, mask plane or
    // scale changes the result by O(1e-1).
    #expect(relativeL2(y.scalars, want) <= 1e-5, comment)
}

@Suite("attention")
struct AttentionTests {
    @Test("unmasked multi-head attention", arguments: attentionCases)
    func unmasked(_ c: AttentionCase) {
        checkAttention(c, mask: nil, referenceMask: .none, seed: 1)
    }

    @Test("random shapes, head counts and mask layouts", arguments: 0..<30)
    func randomConfigurations(_ index: Int) {
        var rng = SplitMix64(seed: 0xA77 + UInt64(index))
        let heads = rng.nextInt(in: 1...4)
        let c = AttentionCase(b: rng.nextInt(in: 1...3), lq: rng.nextInt(in: 1...20), lk: rng.nextInt(in: 1...20),
                              e: heads * rng.nextInt(in: 1...8), ev: heads * rng.nextInt(in: 1...6), heads: heads)
        let planes = [1, 1, c.heads, c.b * c.heads][rng.nextInt(in: 0...3)]
        let shape = planes == 1 && rng.nextInt(in: 0...1) == 0 ? [c.lq, c.lk] : [planes, c.lq, c.lk]
        let count = planes * c.lq * c.lk
        switch rng.nextInt(in: 0...3) {
        case 0:
            checkAttention(c, mask: nil, referenceMask: .none, seed: UInt64(index), comment: "\(c.testDescription) unmasked")
        case 1:
            checkAttention(c, mask: .causal, referenceMask: .causal, seed: UInt64(index), comment: "\(c.testDescription) causal")
        case 2:
            let blocked = (0..<count).map { _ in rng.nextUnit() < 0.3 }
            checkAttention(c, mask: .blocked(blocked, shape: shape),
                           referenceMask: .table(values: blocked.map { $0 ? -Double.infinity : 0 }, planes: planes),
                           seed: UInt64(index), comment: "\(c.testDescription) blocked \(shape)")
        default:
            let values = randomFloats(count, seed: UInt64(index), in: -2...2)
            checkAttention(c, mask: .additive(Tensor(shape: shape, values: values)),
                           referenceMask: .table(values: values.map(Double.init), planes: planes),
                           seed: UInt64(index), comment: "\(c.testDescription) additive \(shape)")
        }
    }

    @Test("unbatched [L, E] inputs give an [Lq, Ev] result equal to batch entry 0")
    func unbatched() {
        let (lq, lk, e, ev, heads) = (6, 9, 8, 12, 4)
        let q = Tensor.random(shape: [lq, e], seed: 1), k = Tensor.random(shape: [lk, e], seed: 2)
        let v = Tensor.random(shape: [lk, ev], seed: 3)
        let y = Tensor.attention(query: q, key: k, value: v, heads: heads)
        #expect(y.shape == [lq, ev])
        let want = referenceAttention(q: q.scalars, k: k.scalars, v: v.scalars, b: 1, lq: lq, lk: lk, e: e, ev: ev,
                                      heads: heads, mask: .none)
        #expect(relativeL2(y.scalars, want) <= 1e-5) // as in checkAttention
        let batched = Tensor.attention(query: q.reshaped([1, lq, e]), key: k.reshaped([1, lk, e]),
                                       value: v.reshaped([1, lk, ev]), heads: heads)
        #expect(batched.scalars == y.scalars) // same computation
    }

    @Test("boolean (blocked) masks of shape [Lq,Lk], [1,Lq,Lk], [heads,Lq,Lk] and [B·heads,Lq,Lk]", arguments: [0, 1, 2, 3])
    func blockedMasks(_ layout: Int) {
        let c = AttentionCase(b: 2, lq: 7, lk: 11, e: 12, ev: 9, heads: 3)
        let planes = [1, 1, c.heads, c.b * c.heads][layout]
        let shape = layout == 0 ? [c.lq, c.lk] : [planes, c.lq, c.lk]
        var rng = SplitMix64(seed: UInt64(40 + layout))
        var blocked = (0..<(planes * c.lq * c.lk)).map { _ in rng.nextUnit() < 0.4 }
        // One query row with every key blocked in the first plane → zeros (documented).
        for j in 0..<c.lk { blocked[2 * c.lk + j] = true }
        let table = blocked.map { $0 ? -Double.infinity : 0 }
        checkAttention(c, mask: .blocked(blocked, shape: shape), referenceMask: .table(values: table, planes: planes),
                       seed: 7, comment: "mask shape \(shape)")
    }

    @Test("additive float masks, [Lq,Lk] and [B·heads,Lq,Lk], with some −inf entries", arguments: [false, true])
    func additiveMasks(_ perPlane: Bool) {
        let c = AttentionCase(b: 2, lq: 9, lk: 6, e: 8, ev: 8, heads: 2)
        let planes = perPlane ? c.b * c.heads : 1
        let shape = perPlane ? [planes, c.lq, c.lk] : [c.lq, c.lk]
        var values = randomFloats(planes * c.lq * c.lk, seed: 77, in: -3...3)
        for i in stride(from: 0, to: values.count, by: 5) { values[i] = -.infinity }
        checkAttention(c, mask: .additive(Tensor(shape: shape, values: values)),
                       referenceMask: .table(values: values.map(Double.init), planes: planes), seed: 9)
    }

    @Test("an additive [heads,Lq,Lk] mask is indexed by head, not by batch", arguments: [1, 2])
    func additivePerHead(_ batch: Int) {
        let c = AttentionCase(b: batch, lq: 5, lk: 8, e: 9, ev: 6, heads: 3)
        let values = randomFloats(c.heads * c.lq * c.lk, seed: 78, in: -4...4)
        checkAttention(c, mask: .additive(Tensor(shape: [c.heads, c.lq, c.lk], values: values)),
                       referenceMask: .table(values: values.map(Double.init), planes: c.heads), seed: 10)
    }

    @Test("causal mask: query i attends to keys 0...i", arguments: [
        AttentionCase(b: 2, lq: 8, lk: 8, e: 8, ev: 8, heads: 2),
        AttentionCase(b: 1, lq: 5, lk: 9, e: 6, ev: 3, heads: 3),
        AttentionCase(b: 1, lq: 9, lk: 5, e: 4, ev: 4, heads: 1),
    ])
    func causal(_ c: AttentionCase) {
        checkAttention(c, mask: .causal, referenceMask: .causal, seed: 11)
    }

    @Test("causal mask: the first query sees only key 0, so its output is v[0] exactly")
    func causalFirstRow() {
        let q = Tensor.random(shape: [4, 4], seed: 1), k = Tensor.random(shape: [4, 4], seed: 2)
        let v = Tensor.random(shape: [4, 2], seed: 3)
        let y = Tensor.attention(query: q, key: k, value: v, heads: 1, mask: .causal)
        #expect(y[0, 0] == v[0, 0] && y[0, 1] == v[0, 1]) // p = [1, 0, 0, 0] exactly
    }

    @Test("a fully blocked query row gives zeros, the other rows are unaffected")
    func fullyBlockedRow() {
        let (lq, lk, e) = (3, 4, 4)
        let q = Tensor.random(shape: [lq, e], seed: 1), k = Tensor.random(shape: [lk, e], seed: 2)
        let v = Tensor.random(shape: [lk, e], seed: 3, in: 1...2)
        var blocked = [Bool](repeating: false, count: lq * lk)
        for j in 0..<lk { blocked[1 * lk + j] = true }
        let y = Tensor.attention(query: q, key: k, value: v, heads: 2, mask: .blocked(blocked, shape: [lq, lk]))
        let free = Tensor.attention(query: q, key: k, value: v, heads: 2)
        #expect(Array(y.scalars[4..<8]) == [0, 0, 0, 0])
        #expect(Array(y.scalars[0..<4]) == Array(free.scalars[0..<4]))
        #expect(Array(y.scalars[8..<12]) == Array(free.scalars[8..<12]))
    }

    @Test("long sequences: scores are computed in bands of query rows (with a causal mask)")
    func bands() {
        // Lk = 2048 keys make a 4M-float score band hold 2048 query rows, so 2050 queries need
        // two bands (2048 + 2); the causal mask checks that band rows get their own query index.
        let c = AttentionCase(b: 1, lq: 2050, lk: 2048, e: 2, ev: 2, heads: 1)
        checkAttention(c, mask: .causal, referenceMask: .causal, seed: 12)
    }

    struct MHACase: Sendable, CustomTestStringConvertible {
        var b: Int, lq: Int, lk: Int, outBias: Bool, masked: Bool
        var testDescription: String {
            "\(b == 0 ? "unbatched" : "B\(b)") Lq\(lq) Lk\(lk)\(outBias ? "" : " no out bias")\(masked ? " masked" : "")"
        }
    }

    @Test("MultiheadAttentionWeights against projections done from the stacked in_proj rows", arguments: [
        MHACase(b: 2, lq: 5, lk: 7, outBias: true, masked: false),
        MHACase(b: 1, lq: 6, lk: 6, outBias: false, masked: false),
        MHACase(b: 2, lq: 4, lk: 9, outBias: true, masked: true),
        MHACase(b: 0, lq: 5, lk: 8, outBias: true, masked: false),
    ])
    func multihead(_ c: MHACase) {
        let (b, lq, lk, outBias, masked) = (c.b, c.lq, c.lk, c.outBias, c.masked)
        let (e, heads) = (12, 3)
        let batch = max(b, 1) // b = 0 means unbatched [L, E] inputs
        let inW = Tensor.random(shape: [3 * e, e], seed: 21, in: -0.5...0.5)
        let inB = Tensor.random(shape: [3 * e], seed: 22)
        let outW = Tensor.random(shape: [e, e], seed: 23, in: -0.5...0.5)
        let outB = outBias ? Tensor.random(shape: [e], seed: 24) : nil
        let mha = MultiheadAttentionWeights(inProjWeight: inW, inProjBias: inB, outProjWeight: outW,
                                            outProjBias: outB, heads: heads)
        #expect(mha.heads == heads)
        let lead = b == 0 ? [] : [b]
        let query = Tensor.random(shape: lead + [lq, e], seed: 25)
        let key = Tensor.random(shape: lead + [lk, e], seed: 26)
        let value = Tensor.random(shape: lead + [lk, e], seed: 27)
        var blocked = [Bool](repeating: false, count: lq * lk)
        if masked { for i in 0..<lq { for j in 0..<lk where (i + j) % 3 == 0 { blocked[i * lk + j] = true } } }
        let y = mha(query: query, key: key, value: value, mask: masked ? .blocked(blocked, shape: [lq, lk]) : nil)
        #expect(y.shape == lead + [lq, e])

        // Reference: q = x·W[0..<E]ᵀ + b[0..<E], k with rows E..<2E, v with rows 2E..<3E (PyTorch's
        // in_proj_weight.chunk(3)), then attention and out_proj, all in Double.
        let w = inW.scalars.map(Double.init), bias = inB.scalars.map(Double.init)
        func project(_ x: Tensor, chunk: Int, rows: Int) -> [Double] {
            let xv = x.scalars
            var out = [Double](repeating: 0, count: batch * rows * e)
            for r in 0..<(batch * rows) {
                for o in 0..<e {
                    var s = bias[chunk * e + o]
                    for i in 0..<e { s += Double(xv[r * e + i]) * w[(chunk * e + o) * e + i] }
                    out[r * e + o] = s
                }
            }
            return out
        }
        // The reference attention takes floats; feed it the Double projections rounded once
        // (a 6e-8 relative perturbation, far below the tolerance).
        let qp = project(query, chunk: 0, rows: lq).map(Float.init)
        let kp = project(key, chunk: 1, rows: lk).map(Float.init)
        let vp = project(value, chunk: 2, rows: lk).map(Float.init)
        let table = blocked.map { $0 ? -Double.infinity : 0 }
        let att = referenceAttention(q: qp, k: kp, v: vp, b: batch, lq: lq, lk: lk, e: e, ev: e, heads: heads,
                                     mask: masked ? .table(values: table, planes: 1) : .none)
        let ow = outW.scalars.map(Double.init), ob = outB?.scalars.map(Double.init)
        var want = [Double](repeating: 0, count: batch * lq * e)
        for r in 0..<(batch * lq) {
            for o in 0..<e {
                var s = ob?[o] ?? 0
                for i in 0..<e { s += att[r * e + i] * ow[o * e + i] }
                want[r * e + o] = s
            }
        }
        // Four chained GEMM-like float32 stages with K ≤ 12: 1e-5 relative L2. Using the wrong
        // third of in_proj_weight for any of q/k/v gives O(1) errors.
        #expect(relativeL2(y.scalars, want) <= 1e-5)
    }
}
