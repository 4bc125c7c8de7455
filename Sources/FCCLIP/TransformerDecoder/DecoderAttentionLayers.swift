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
/// level's memory. Post-norm, as FC-CLIP configures it (model.json rejects pre-norm):
/// `LN(tgt + MHA(tgt + query_pos, memory + pos, memory))`.
struct DecoderCrossAttentionLayer: Sendable {
    let attention: MultiheadAttentionWeights
    let norm: LayerNorm

    init(_ w: Weights, width: Int, heads: Int) throws {
        attention = try loadMultiheadAttention(w.scoped("multihead_attn"), width: width, heads: heads)
        norm = try LayerNorm(w.scoped("norm"), channels: width, eps: 1e-5)
    }

    /// `tgt`, `queryPos` `[Q, C]`; `memoryWithPos` (= memory + pos) and `memory` `[L, C]`;
    /// `mask` blocks (query, key) pairs.
    func callAsFunction(_ tgt: Tensor, queryPos: Tensor, memoryWithPos: Tensor, memory: Tensor,
                        mask: AttentionMask?) -> Tensor {
        let attended = attention(query: tgt + queryPos, key: memoryWithPos, value: memory, mask: mask)
        return norm(tgt + attended)
    }
}

/// `SelfAttentionLayer` (keys `self_attn.*`, `norm.*`): q = k = tgt + query_pos, v = tgt,
/// no mask. Post-norm: `LN(tgt + MHA(…))`.
struct DecoderSelfAttentionLayer: Sendable {
    let attention: MultiheadAttentionWeights
    let norm: LayerNorm

    init(_ w: Weights, width: Int, heads: Int) throws {
        attention = try loadMultiheadAttention(w.scoped("self_attn"), width: width, heads: heads)
        norm = try LayerNorm(w.scoped("norm"), channels: width, eps: 1e-5)
    }

    func callAsFunction(_ tgt: Tensor, queryPos: Tensor) -> Tensor {
        let qk = tgt + queryPos
        return norm(tgt + attention(query: qk, key: qk, value: tgt))
    }
}

/// `FFNLayer` (keys `linear1.*`, `linear2.*`, `norm.*`): `LN(x + W2·ReLU(W1·x + b1) + b2)`
/// (post-norm).
struct DecoderFFNLayer: Sendable {
    let linear1: Linear
    let linear2: Linear
    let norm: LayerNorm

    init(_ w: Weights, width: Int, ffnDim: Int) throws {
        linear1 = try Linear(w.scoped("linear1"), out: ffnDim, in: width)
        linear2 = try Linear(w.scoped("linear2"), out: width, in: ffnDim)
        norm = try LayerNorm(w.scoped("norm"), channels: width, eps: 1e-5)
    }

    private func ffn(_ x: Tensor) -> Tensor {
        var h = linear1(x)
        h.applyReLU()
        return linear2(h)
    }

    func callAsFunction(_ tgt: Tensor) -> Tensor {
        norm(tgt + ffn(tgt))
    }
}
