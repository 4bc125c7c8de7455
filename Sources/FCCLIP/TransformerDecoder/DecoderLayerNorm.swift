import ModelIO
import Tensor

/// An `nn.LayerNorm(C)` (eps 1e-5) of the transformer decoder, applied over the last axis.
struct DecoderLayerNorm: Sendable {
    let weight: Tensor
    let bias: Tensor
    let eps: Float = 1e-5

    init(_ w: Weights, channels: Int) throws {
        weight = try w.tensor("weight", [channels])
        bias = try w.tensor("bias", [channels])
    }

    func callAsFunction(_ x: Tensor) -> Tensor {
        x.layerNorm(weight: weight, bias: bias, eps: eps)
    }
}

/// An `nn.Linear` with its checkpoint `[out, in]` weight and bias.
struct DecoderLinear: Sendable {
    let weight: Tensor
    let bias: Tensor

    init(_ w: Weights, out: Int, in inputs: Int) throws {
        weight = try w.tensor("weight", [out, inputs])
        bias = try w.tensor("bias", [out])
    }

    init(weight: Tensor, bias: Tensor) {
        self.weight = weight
        self.bias = bias
    }

    func callAsFunction(_ x: Tensor) -> Tensor {
        x.linear(weight: weight, bias: bias)
    }
}
