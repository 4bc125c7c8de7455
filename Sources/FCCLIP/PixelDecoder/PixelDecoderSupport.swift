import Tensor

/// Carries a raw pointer into a `parallelFor` body whose ranges write disjoint slices.
struct PixelDecoderPointer<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

/// A detectron2 `Conv2d` with a GroupNorm and an optional ReLU (conv → norm → activation),
/// as used by the pixel decoder's input projections and FPN convolutions.
struct PixelDecoderConvNorm: Sendable {
    let conv: Conv2dWeights
    let normWeight: Tensor
    let normBias: Tensor
    let groups: Int
    let eps: Float
    let relu: Bool

    func callAsFunction(_ x: Tensor) -> Tensor {
        var y = x.conv2d(conv).groupNorm(groups: groups, weight: normWeight, bias: normBias, eps: eps)
        if relu { y.applyReLU() }
        return y
    }
}

/// A PyTorch `nn.Linear` (`weight` `[out, in]`, `bias` `[out]`).
struct PixelDecoderLinear: Sendable {
    let weight: Tensor
    let bias: Tensor

    func callAsFunction(_ x: Tensor) -> Tensor { x.linear(weight: weight, bias: bias) }
}

/// A LayerNorm over the last axis.
struct PixelDecoderLayerNorm: Sendable {
    let weight: Tensor
    let bias: Tensor
    let eps: Float

    func callAsFunction(_ x: Tensor) -> Tensor { x.layerNorm(weight: weight, bias: bias, eps: eps) }
}
