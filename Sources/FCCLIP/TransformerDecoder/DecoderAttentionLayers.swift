import ModelIO
import Tensor

/// Loads a PyTorch `nn.MultiheadAttention` of width `e` from `w` (in_proj + out_proj).
func loadMultiheadAttention(_ w: Weights, width e: Int, heads: Int) throws -> MultiheadAttentionWeights {
    MultiheadAttentionWeights(inProjWeight: try w.tensor("in_proj_weight", [3 * e, e]),
                              inProjBias: try w.tensor("in_proj_bias", [3 * e]),
                              outProjWeight: try w.tensor("out_proj.weight", [e, e]),
                              outProjBias: try w.tensor("out_proj.bias", [e]),
                              heads: heads)
}

/// `CrossAttentionLayer` (keys `multihead_attn.*`, `norm.*`): the queries attend to one
/// level's memory. Post-norm (FC-CLIP): `LN(tgt + MHA(tgt + query_pos, memory + pos, memory))`;
/// pre-norm: `tgt + MHA(LN(tgt) + query_pos, memory + pos, memory)`.
struct DecoderCrossAttentionLayer: Sendable {
    let attention: MultiheadAttentionWeights
    let norm: LayerNorm
    let preNorm: Bool

    init(_ w: Weights, width: Int, heads: Int, preNorm: Bool) throws {
        attention = try loadMultiheadAttention(w.scoped("multihead_attn"), width: width, heads: heads)
        norm = try LayerNorm(w.scoped("norm"), channels: width, eps: 1e-5)
        self.preNorm = preNorm
    }

    /// `tgt`, `queryPos` `[Q, C]`; `memoryWithPos` (= memory + pos) and `memory` `[L, C]`;
    /// `mask` blocks (query, key) pairs.
    func callAsFunction(_ tgt: Tensor, queryPos: Tensor, memoryWithPos: Tensor, memory: Tensor,
                        mask: AttentionMask?) -> Tensor {
        if preNorm {
            let attended = attention(query: norm(tgt) + queryPos, key: memoryWithPos, value: memory, mask: mask)
            return tgt + attended
        }
        let attended = attention(query: tgt + queryPos, key: memoryWithPos, value: memory, mask: mask)
        return norm(tgt + attended)
    }
}

/// `SelfAttentionLayer` (keys `self_attn.*`, `norm.*`): q = k = tgt + query_pos, v = tgt,
/// no mask. Post-norm: `LN(tgt + MHA(…))`; pre-norm on `LN(tgt)` with a plain residual.
struct DecoderSelfAttentionLayer: Sendable {
    let attention: MultiheadAttentionWeights
    let norm: LayerNorm
    let preNorm: Bool

    init(_ w: Weights, width: Int, heads: Int, preNorm: Bool) throws {
        attention = try loadMultiheadAttention(w.scoped("self_attn"), width: width, heads: heads)
        norm = try LayerNorm(w.scoped("norm"), channels: width, eps: 1e-5)
        self.preNorm = preNorm
    }

    func callAsFunction(_ tgt: Tensor, queryPos: Tensor) -> Tensor {
        if preNorm {
            let x = norm(tgt)
            let qk = x + queryPos
            return tgt + attention(query: qk, key: qk, value: x)
        }
        let qk = tgt + queryPos
        return norm(tgt + attention(query: qk, key: qk, value: tgt))
    }
}

/// `FFNLayer` (keys `linear1.*`, `linear2.*`, `norm.*`): `LN(x + W2·ReLU(W1·x + b1) + b2)`
/// post-norm, or `x + FFN(LN(x))` pre-norm.
struct DecoderFFNLayer: Sendable {
    let linear1: Linear
    let linear2: Linear
    let norm: LayerNorm
    let preNorm: Bool

    init(_ w: Weights, width: Int, ffnDim: Int, preNorm: Bool) throws {
        linear1 = try Linear(w.scoped("linear1"), out: ffnDim, in: width)
        linear2 = try Linear(w.scoped("linear2"), out: width, in: ffnDim)
        norm = try LayerNorm(w.scoped("norm"), channels: width, eps: 1e-5)
        self.preNorm = preNorm
    }

    private func ffn(_ x: Tensor) -> Tensor {
        var h = linear1(x)
        h.applyReLU()
        return linear2(h)
    }

    func callAsFunction(_ tgt: Tensor) -> Tensor {
        preNorm ? tgt + ffn(norm(tgt)) : norm(tgt + ffn(tgt))
    }
}
