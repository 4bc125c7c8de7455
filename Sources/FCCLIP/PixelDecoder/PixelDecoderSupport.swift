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
