import Tensor

/// The final predictions of the masked-attention decoder (the last head call).
public struct MaskDecoderOutput: Sendable {
    /// `[Q, C + 1]`: in-vocabulary class logits, the last column is void.
    public let classLogits: Tensor
    /// `[Q, H/4, W/4]`: mask logits at the mask features' resolution.
    public let maskLogits: Tensor

    public init(classLogits: Tensor, maskLogits: Tensor) {
        self.classLogits = classLogits
        self.maskLogits = maskLogits
    }
}
