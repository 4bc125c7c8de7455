import Tensor

/// What the pixel decoder hands to the transformer decoder (spec §5.5).
public struct PixelDecoderOutput: Sendable {
    /// The transformer-encoder levels as NHWC maps `[1, h, w, conv_dim]`, coarse → fine
    /// (res5, res4, res3 levels at strides 32, 16, 8 in the default configuration).
    public let multiScale: [Tensor]
    /// Per-pixel embeddings at the common stride, NHWC `[1, H/4, W/4, mask_dim]`.
    public let maskFeatures: Tensor

    public init(multiScale: [Tensor], maskFeatures: Tensor) {
        self.multiScale = multiScale
        self.maskFeatures = maskFeatures
    }
}
