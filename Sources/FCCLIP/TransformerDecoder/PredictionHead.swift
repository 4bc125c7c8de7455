import CLIP
import ModelIO
import Tensor

/// `forward_prediction_heads` (spec §6.3) split into its parts, so the decoder can skip the
/// class branch of the intermediate heads: `decoder_norm`, `mask_embed`, the mask einsum,
/// mask pooling, `_mask_pooling_proj`, `class_embed` and the in-vocabulary classifier.
struct PredictionHead: Sendable {
    let decoderNorm: LayerNorm
    let maskEmbed: DecoderMLP
    let poolNorm: LayerNorm
    let poolProj: Linear
    let classEmbed: DecoderMLP
    /// The decoder's own raw `logit_scale` (before exp and the clamp).
    let logitScale: Float
    let maxLogitScale: Float

    init(_ w: Weights, hidden h: Int, maskDim: Int, embedDim e: Int, maxLogitScale: Float) throws {
        decoderNorm = try LayerNorm(w.scoped("decoder_norm"), channels: h, eps: 1e-5)
        maskEmbed = try DecoderMLP(w.scoped("mask_embed"), dims: [h, h, h, maskDim])
        poolNorm = try LayerNorm(w.scoped("_mask_pooling_proj.0"), channels: h, eps: 1e-5)
        poolProj = try Linear(w.scoped("_mask_pooling_proj.1"), out: h, in: h)
        classEmbed = try DecoderMLP(w.scoped("class_embed"), dims: [h, h, h, e])
        logitScale = try w.tensor("logit_scale", []).scalarValue
        self.maxLogitScale = maxLogitScale
    }

    /// Mask logits `[Q, HW]` = `mask_embed` `[Q, C]` · features `[HW, C]`ᵀ: one GEMM that reads
    /// the NHWC mask features in place as the transposed operand. The `[Q, HW]` result is
    /// already `pred_masks`' layout and the layout pooling and the attention mask consume,
    /// so no transpose is ever materialised (the `[HW, Q]` alternative costs the same GEMM
    /// plus a transpose).
    static func maskLogits(maskEmbedding: Tensor, features: Tensor) -> Tensor {
        Tensor.matmul(maskEmbedding, features, transposeB: true)
    }

    /// The class branch for one head: returns the pooled features, their projection, the
    /// class embeddings and the class logits `[Q, C + 1]`.
    func classBranch(decoderOutput dec: Tensor, maskLogits: Tensor, features: Tensor,
                     classifier: TextClassifier) -> (pooled: Tensor, projected: Tensor, embedding: Tensor, logits: Tensor) {
        let pooled = MaskPooling.pool(maskLogits: maskLogits, features: features)
        let projected = poolProj(poolNorm(pooled))
        let embedding = classEmbed(projected + dec)
        let logits = classifier.logits(embedding, logitScale: logitScale, maxScale: maxLogitScale)
        return (pooled, projected, embedding, logits)
    }
}
