import ModelIO
import Tensor

/// Mask2Former's `MLP` (keys `layers.0..layers.{n-1}`): Linear layers with ReLU between
/// them and none after the last. Used for `mask_embed` and `class_embed` (3 layers each).
struct DecoderMLP: Sendable {
    let layers: [Linear]

    /// `dims` lists the widths: input, hidden…, output (4 entries for 3 layers).
    init(_ w: Weights, dims: [Int]) throws {
        precondition(dims.count >= 2, "an MLP needs at least one layer")
        layers = try (0..<(dims.count - 1)).map { i in
            try Linear(w.scoped("layers.\(i)"), out: dims[i + 1], in: dims[i])
        }
    }

    /// `x` `[N, in]` → `[N, out]`.
    func callAsFunction(_ x: Tensor) -> Tensor {
        var y = x
        for (i, layer) in layers.enumerated() {
            y = layer(y)
            if i < layers.count - 1 { y.applyReLU() }
        }
        return y
    }
}
