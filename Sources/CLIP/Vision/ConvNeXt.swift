import ModelIO
import Tensor

/// The feature maps FC-CLIP takes from the CLIP ConvNeXt trunk, all channels-last `[1, H, W, C]`.
public struct BackboneFeatures: @unchecked Sendable {
    /// Stem output, stride 4 (unused by the heads; kept for parity checks).
    public var stem: Tensor
    /// Stage outputs res2…res5 (strides 4, 8, 16, 32).
    public var res: [Tensor]
    /// `norm_pre(res5)`: identical to res5 for ConvNeXt (norm_pre is the identity); the dense
    /// CLIP features the out-of-vocabulary branch pools.
    public var clipVisDense: Tensor { res[3] }

    /// Features from elsewhere (e.g. a reference run); `res` holds res2…res5.
    public init(stem: Tensor, res: [Tensor]) {
        precondition(res.count == 4, "BackboneFeatures needs res2…res5, got \(res.count) maps")
        self.stem = stem
        self.res = res
    }
}

/// timm's ConvNeXt as open_clip builds it for `convnext_large_d_320` (spec §3.2):
///
///     stem:   conv 4x4/4 → LayerNorm2d
///     stage i (i > 0 first downsamples: LayerNorm2d → conv 2x2/2), then depth_i blocks:
///         x = x + γ ⊙ fc2(GELU(fc1(LN(dwconv7x7(x)))))
///
/// with all tensors channels-last, so LN, fc1 and fc2 act on contiguous channel rows and
/// fc1/fc2 are single GEMMs over all pixels. The layer scale γ is folded into fc2 at load
/// (`γ⊙(Wx + b) = (γ⊙W)x + γ⊙b`, equal up to float rounding).
public struct ConvNeXtTrunk: Sendable {
    struct Block: Sendable {
        let dwconv: DepthwiseConv2dWeights
        let norm: LayerNorm
        let fc1Weight: Tensor, fc1Bias: Tensor
        /// fc2 with the layer scale folded in.
        let fc2Weight: Tensor, fc2Bias: Tensor

        init(_ w: Weights, channels c: Int, kernel k: Int, mlpRatio r: Int, eps: Float) throws {
            dwconv = DepthwiseConv2dWeights(weight: try w.tensor("conv_dw.weight", [c, 1, k, k]),
                                            bias: try w.tensor("conv_dw.bias", [c]), padding: k / 2)
            norm = try LayerNorm(w.scoped("norm"), channels: c, eps: eps)
            fc1Weight = try w.tensor("mlp.fc1.weight", [r * c, c])
            fc1Bias = try w.tensor("mlp.fc1.bias", [r * c])
            let gamma = try w.tensor("gamma", [c]).scalars
            var fc2 = try w.tensor("mlp.fc2.weight", [c, r * c])
            var b2 = try w.tensor("mlp.fc2.bias", [c])
            fc2.withUnsafeMutableBufferPointer { p in
                for o in 0..<c { for i in 0..<(r * c) { p[o * r * c + i] *= gamma[o] } }
            }
            b2.withUnsafeMutableBufferPointer { p in for o in 0..<c { p[o] *= gamma[o] } }
            fc2Weight = fc2
            fc2Bias = b2
        }

        func callAsFunction(_ x: Tensor) -> Tensor {
            let (n, h, wd, c) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
            var y = norm(x.depthwiseConv2d(dwconv)).reshaped([n * h * wd, c])
            var hidden = y.linear(weight: fc1Weight, bias: fc1Bias)
            hidden.applyGELU()
            y = hidden.linear(weight: fc2Weight, bias: fc2Bias).reshaped(x.shape)
            y.add(x)
            return y
        }
    }

    struct Stage: Sendable {
        let downsampleNorm: LayerNorm?
        let downsample: Conv2dWeights?
        let blocks: [Block]
    }

    public let dims: [Int]
    let stemConv: Conv2dWeights
    let stemNorm: LayerNorm
    let stages: [Stage]

    /// Loads the trunk from `weights` scoped at `backbone.clip_model.visual.trunk`.
    public init(_ w: Weights, config: ModelConfig.VisionConfig) throws {
        let d = config.dims, eps = Float(config.lnEps)
        dims = d
        stemConv = Conv2dWeights(weight: try w.tensor("stem.0.weight", [d[0], 3, 4, 4]),
                                 bias: try w.tensor("stem.0.bias", [d[0]]), stride: 4)
        stemNorm = try LayerNorm(w.scoped("stem.1"), channels: d[0], eps: eps)
        var stages: [Stage] = []
        for s in 0..<4 {
            let sw = w.scoped("stages.\(s)")
            var dsNorm: LayerNorm?, ds: Conv2dWeights?
            if s > 0 {
                dsNorm = try LayerNorm(sw.scoped("downsample.0"), channels: d[s - 1], eps: eps)
                ds = Conv2dWeights(weight: try sw.tensor("downsample.1.weight", [d[s], d[s - 1], 2, 2]),
                                   bias: try sw.tensor("downsample.1.bias", [d[s]]), stride: 2)
            }
            let blocks = try (0..<config.depths[s]).map {
                try Block(sw.scoped("blocks.\($0)"), channels: d[s], kernel: config.kernelSize, mlpRatio: config.mlpRatio, eps: eps)
            }
            stages.append(Stage(downsampleNorm: dsNorm, downsample: ds, blocks: blocks))
        }
        self.stages = stages
    }

    /// Runs the trunk on a normalised, padded image `[1, H, W, 3]` (H and W multiples of 32).
    /// `onStage` is called after the stem (index -1) and after each stage (0…3), for timing.
    public func callAsFunction(_ image: Tensor, onStage: ((Int) -> Void)? = nil) -> BackboneFeatures {
        precondition(image.rank == 4 && image.shape[3] == 3, "ConvNeXt input must be [N, H, W, 3], got \(image.shape)")
        let stem = stemNorm(image.conv2d(stemConv))
        onStage?(-1)
        var x = stem
        var res: [Tensor] = []
        for (i, stage) in stages.enumerated() {
            if let norm = stage.downsampleNorm, let conv = stage.downsample { x = norm(x).conv2d(conv) }
            for block in stage.blocks { x = block(x) }
            res.append(x)
            onStage?(i)
        }
        return BackboneFeatures(stem: stem, res: res)
    }
}

/// open_clip's projection of pooled ConvNeXt features into the CLIP embedding space
/// (spec §3.4): `trunk.head.norm` (LayerNorm over the final width), then the "mlp"
/// projection `fc2(GELU(fc1(x)))` with fc2 bias-free. Inputs `[N, dims[3]]`, outputs
/// `[N, embed_dim]`, not normalised.
public struct CLIPVisualHead: Sendable {
    let norm: LayerNorm
    let fc1Weight: Tensor, fc1Bias: Tensor, fc2Weight: Tensor

    /// Loads from `weights` scoped at `backbone.clip_model.visual`.
    public init(_ w: Weights, config: ModelConfig.CLIPConfig) throws {
        let width = config.vision.dims[3], hidden = config.vision.headHiddenDim
        norm = try LayerNorm(w.scoped("trunk.head.norm"), channels: width, eps: Float(config.vision.lnEps))
        fc1Weight = try w.tensor("head.mlp.fc1.weight", [hidden, width])
        fc1Bias = try w.tensor("head.mlp.fc1.bias", [hidden])
        fc2Weight = try w.tensor("head.mlp.fc2.weight", [config.embedDim, hidden])
    }

    public func callAsFunction(_ pooled: Tensor) -> Tensor {
        var h = norm(pooled).linear(weight: fc1Weight, bias: fc1Bias)
        h.applyGELU()
        return h.linear(weight: fc2Weight)
    }
}
