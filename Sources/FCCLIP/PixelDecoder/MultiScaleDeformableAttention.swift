import ModelIO
import Tensor

/// One `MSDeformAttn` layer (Deformable DETR, spec §5.4) with `heads` heads, `levels` levels
/// and `points` sampling points per head and level, on one image's flattened tokens:
///
/// 1. `value = value_proj(value_input)`, `[tokens, d]`, head m owning channels `[m·d/M, (m+1)·d/M)`;
/// 2. `Δ = sampling_offsets(query)` viewed `[M, L, P, 2]`, `A = attention_weights(query)` viewed
///    `[M, L·P]` and softmax-normalised per head;
/// 3. bilinear sampling at `ref + Δ / (W_l, H_l)` with grid_sample semantics
///    (`deformableAttentionSample`), weighted by A and summed over levels and points;
/// 4. `output_proj` over the concatenated heads.
public struct MultiScaleDeformableAttention: Sendable {
    public let dModel: Int
    public let heads: Int
    public let levels: Int
    public let points: Int
    let samplingOffsets: Linear
    let attentionWeights: Linear
    let valueProj: Linear
    let outputProj: Linear

    /// Loads `sampling_offsets`, `attention_weights`, `value_proj` and `output_proj` from `w`
    /// (scoped at the layer's `self_attn`).
    public init(_ w: Weights, dModel: Int, heads: Int, levels: Int, points: Int) throws {
        precondition(heads > 0 && dModel % heads == 0, "MSDeformAttn: d_model \(dModel) not divisible by \(heads) heads")
        self.dModel = dModel
        self.heads = heads
        self.levels = levels
        self.points = points
        let samples = heads * levels * points
        samplingOffsets = Linear(weight: try w.tensor("sampling_offsets.weight", [samples * 2, dModel]),
                                             bias: try w.tensor("sampling_offsets.bias", [samples * 2]))
        attentionWeights = Linear(weight: try w.tensor("attention_weights.weight", [samples, dModel]),
                                              bias: try w.tensor("attention_weights.bias", [samples]))
        valueProj = Linear(weight: try w.tensor("value_proj.weight", [dModel, dModel]),
                                       bias: try w.tensor("value_proj.bias", [dModel]))
        outputProj = Linear(weight: try w.tensor("output_proj.weight", [dModel, dModel]),
                                        bias: try w.tensor("output_proj.bias", [dModel]))
    }

    /// `query` `[Q, d]` (features plus position), `reference` `[Q, 2]` normalised (x, y),
    /// `valueInput` `[tokens, d]` laid out as `spatial`; returns `[Q, d]`.
    public func callAsFunction(query: Tensor, reference: Tensor, valueInput: Tensor, spatial: DeformableLevels) -> Tensor {
        precondition(spatial.shapes.count == levels, "MSDeformAttn: \(spatial.shapes.count) levels for a \(levels)-level layer")
        precondition(query.rank == 2 && query.shape[1] == dModel && valueInput.shape == [spatial.tokens, dModel],
                     "MSDeformAttn: query \(query.shape) / value \(valueInput.shape) do not match d_model \(dModel), \(spatial.tokens) tokens")
        let value = valueProj(valueInput)
        let offsets = samplingOffsets(query)
        var weights = attentionWeights(query).reshaped([query.shape[0] * heads, levels * points])
        weights.applySoftmax()
        let sampled = deformableAttentionSample(value: value, levels: spatial, heads: heads, points: points,
                                                reference: reference, offsets: offsets, weights: weights)
        return outputProj(sampled)
    }
}
