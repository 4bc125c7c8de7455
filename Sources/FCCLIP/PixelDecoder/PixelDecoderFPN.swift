import Tensor

/// One FPN level of the pixel decoder below the transformer levels (spec §5.5 step 2):
///
///     lateral = adapter_k(feature)                      1x1 conv (no bias) + GN
///     y = layer_k(lateral + bilinear_resize(previous))  3x3 conv pad 1 (no bias) + GN + ReLU
///
/// where `previous` is the next coarser output (the finest encoder level for the first FPN
/// level) resized with `align_corners=False` to the feature's size.
struct PixelDecoderFPNLevel: Sendable {
    /// Index of the backbone feature in res2…res5.
    let featureIndex: Int
    let lateral: PixelDecoderConvNorm
    let output: PixelDecoderConvNorm

    func callAsFunction(_ feature: Tensor, previous: Tensor) -> (lateral: Tensor, output: Tensor) {
        let lat = lateral(feature)
        let y = lat + previous.resizedBilinear(height: lat.shape[1], width: lat.shape[2])
        return (lat, output(y))
    }
}
