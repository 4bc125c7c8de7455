import Tensor

/// A PyTorch `nn.Linear` loaded from its scope: `weight` `[out, in]` and, when present, `bias`
/// `[out]`, shape-checked at load. Applies `y = x·Wᵀ + b` over the last axis.
public struct Linear: Sendable {
    public let weight: Tensor
    public let bias: Tensor?

    /// Loads `weight` (and `bias` unless `bias: false`) from `w`.
    public init(_ w: Weights, out: Int, in inputs: Int, bias: Bool = true) throws {
        weight = try w.tensor("weight", [out, inputs])
        self.bias = bias ? try w.tensor("bias", [out]) : nil
    }

    public init(weight: Tensor, bias: Tensor?) {
        self.weight = weight
        self.bias = bias
    }

    public func callAsFunction(_ x: Tensor) -> Tensor { x.linear(weight: weight, bias: bias) }
}

/// A LayerNorm over the last axis loaded from its scope (`weight`, `bias` `[channels]`):
/// `nn.LayerNorm(C)` on tokens and timm's `LayerNorm2d` on channels-last maps alike.
public struct LayerNorm: Sendable {
    public let weight: Tensor
    public let bias: Tensor
    public let eps: Float

    public init(_ w: Weights, channels: Int, eps: Float) throws {
        weight = try w.tensor("weight", [channels])
        bias = try w.tensor("bias", [channels])
        self.eps = eps
    }

    public init(weight: Tensor, bias: Tensor, eps: Float) {
        self.weight = weight
        self.bias = bias
        self.eps = eps
    }

    public func callAsFunction(_ x: Tensor) -> Tensor { x.layerNorm(weight: weight, bias: bias, eps: eps) }
}
