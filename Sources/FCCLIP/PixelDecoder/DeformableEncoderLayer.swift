import ModelIO
import Tensor

/// `MSDeformAttnTransformerEncoderLayer`, post-norm (spec §5.4):
///
///     src = norm1(src + MSDeformAttn(query = src + pos, value = src))
///     src = norm2(src + linear2(ReLU(linear1(src))))
struct DeformableEncoderLayer: Sendable {
    let attention: MultiScaleDeformableAttention
    let norm1: LayerNorm
    let linear1: Linear
    let linear2: Linear
    let norm2: LayerNorm

    /// LayerNorm eps of the encoder (PyTorch's default).
    static let eps: Float = 1e-5

    init(_ w: Weights, dModel: Int, ffnDim: Int, heads: Int, levels: Int, points: Int) throws {
        attention = try MultiScaleDeformableAttention(w.scoped("self_attn"), dModel: dModel, heads: heads,
                                                      levels: levels, points: points)
        norm1 = LayerNorm(weight: try w.tensor("norm1.weight", [dModel]), bias: try w.tensor("norm1.bias", [dModel]),
                                      eps: Self.eps)
        linear1 = Linear(weight: try w.tensor("linear1.weight", [ffnDim, dModel]), bias: try w.tensor("linear1.bias", [ffnDim]))
        linear2 = Linear(weight: try w.tensor("linear2.weight", [dModel, ffnDim]), bias: try w.tensor("linear2.bias", [dModel]))
        norm2 = LayerNorm(weight: try w.tensor("norm2.weight", [dModel]), bias: try w.tensor("norm2.bias", [dModel]),
                                      eps: Self.eps)
    }

    /// `src` and `pos` `[tokens, d]`, `reference` `[tokens, 2]`.
    func callAsFunction(_ src: Tensor, pos: Tensor, reference: Tensor, spatial: DeformableLevels) -> Tensor {
        var x = src + attention(query: src + pos, reference: reference, valueInput: src, spatial: spatial)
        x = norm1(x)
        var hidden = linear1(x)
        hidden.applyReLU()
        x.add(linear2(hidden))
        return norm2(x)
    }
}
