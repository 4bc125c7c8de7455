import Tensor

/// The final predictions of the masked-attention decoder (the last head call).
public struct MaskDecoderOutput: Sendable {
    /// `[Q, C + 1]`: in-vocabulary class logits, the last column is void.
    public let classLogits: Tensor
    /// `[Q, H/4, W/4]`: mask logits at the mask features' resolution.
    public let maskLogits: Tensor
    /// `[Q, hidden]`: the last head's normalised query features (`decoder_norm` output), which
    /// describe what each query found (used to follow segments across frames); nil when not kept.
    public let queryEmbeddings: Tensor?

    public init(classLogits: Tensor, maskLogits: Tensor, queryEmbeddings: Tensor? = nil) {
        self.classLogits = classLogits
        self.maskLogits = maskLogits
        self.queryEmbeddings = queryEmbeddings
    }
}
