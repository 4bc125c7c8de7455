/// A tensor the model needs: its checkpoint key and shape.
public struct ExpectedTensor: Sendable, Equatable {
    public let key: String
    public let shape: [Int]
    public init(_ key: String, _ shape: [Int]) {
        self.key = key
        self.shape = shape
    }
}

/// Every tensor an FC-CLIP model with a given `ModelConfig` needs, under the official
/// state_dict key names, derived from the configuration alone. The real ConvNeXt-L model
/// yields exactly the official state dict's 845 inference tensors (all of its 846 keys but
/// the training-only `criterion.empty_weight`); the tests check this against the
/// instantiated reference.
public enum WeightSchema {
    /// Key prefixes of tensors that exist in official checkpoints but are not used for
    /// inference; they are reported and ignored.
    public static let ignoredPrefixes = ["criterion."]

    public static func fcclip(_ config: ModelConfig) -> [ExpectedTensor] {
        var out: [ExpectedTensor] = []
        func add(_ key: String, _ shape: [Int]) { out.append(ExpectedTensor(key, shape)) }
        func norm(_ prefix: String, _ c: Int) { add("\(prefix).weight", [c]); add("\(prefix).bias", [c]) }
        func linear(_ prefix: String, _ outF: Int, _ inF: Int, bias: Bool = true) {
            add("\(prefix).weight", [outF, inF])
            if bias { add("\(prefix).bias", [outF]) }
        }
        func mha(_ prefix: String, _ e: Int) {
            add("\(prefix).in_proj_weight", [3 * e, e]); add("\(prefix).in_proj_bias", [3 * e])
            linear("\(prefix).out_proj", e, e)
        }

        // CLIP text tower.
        let clip = "backbone.clip_model"
        let t = config.clip.text, e = config.clip.embedDim
        add("\(clip).positional_embedding", [t.contextLength, t.width])
        add("\(clip).text_projection", [t.width, e])
        add("\(clip).logit_scale", [])
        add("\(clip).token_embedding.weight", [t.vocabSize, t.width])
        norm("\(clip).ln_final", t.width)
        for i in 0..<t.layers {
            let p = "\(clip).transformer.resblocks.\(i)"
            norm("\(p).ln_1", t.width)
            mha("\(p).attn", t.width)
            norm("\(p).ln_2", t.width)
            linear("\(p).mlp.c_fc", t.width * t.mlpRatio, t.width)
            linear("\(p).mlp.c_proj", t.width, t.width * t.mlpRatio)
        }

        // CLIP ConvNeXt trunk and head.
        let v = config.clip.vision, trunk = "\(clip).visual.trunk"
        add("\(trunk).stem.0.weight", [v.dims[0], 3, 4, 4]); add("\(trunk).stem.0.bias", [v.dims[0]])
        norm("\(trunk).stem.1", v.dims[0])
        for s in 0..<4 {
            let d = v.dims[s], stage = "\(trunk).stages.\(s)"
            if s > 0 {
                norm("\(stage).downsample.0", v.dims[s - 1])
                add("\(stage).downsample.1.weight", [d, v.dims[s - 1], 2, 2]); add("\(stage).downsample.1.bias", [d])
            }
            for b in 0..<v.depths[s] {
                let block = "\(stage).blocks.\(b)"
                add("\(block).gamma", [d])
                add("\(block).conv_dw.weight", [d, 1, v.kernelSize, v.kernelSize]); add("\(block).conv_dw.bias", [d])
                norm("\(block).norm", d)
                linear("\(block).mlp.fc1", d * v.mlpRatio, d)
                linear("\(block).mlp.fc2", d, d * v.mlpRatio)
            }
        }
        norm("\(trunk).head.norm", v.dims[3])
        linear("\(clip).visual.head.mlp.fc1", v.headHiddenDim, v.dims[3])
        linear("\(clip).visual.head.mlp.fc2", e, v.headHiddenDim, bias: false)

        // Pixel decoder: levels ordered coarse to fine (res5, res4, res3 in the default config).
        let p = config.pixelDecoder, pd = "sem_seg_head.pixel_decoder"
        let features = config.backboneFeatures
        let levels = features.filter { p.transformerInFeatures.contains($0.name) }.sorted { $0.stride > $1.stride }
        for (l, f) in levels.enumerated() {
            add("\(pd).input_proj.\(l).0.weight", [p.convDim, f.channels, 1, 1]); add("\(pd).input_proj.\(l).0.bias", [p.convDim])
            norm("\(pd).input_proj.\(l).1", p.convDim)
        }
        add("\(pd).transformer.level_embed", [levels.count, p.convDim])
        let samples = p.encoderHeads * levels.count * p.encoderPoints
        for i in 0..<p.encoderLayers {
            let layer = "\(pd).transformer.encoder.layers.\(i)"
            linear("\(layer).self_attn.sampling_offsets", samples * 2, p.convDim)
            linear("\(layer).self_attn.attention_weights", samples, p.convDim)
            linear("\(layer).self_attn.value_proj", p.convDim, p.convDim)
            linear("\(layer).self_attn.output_proj", p.convDim, p.convDim)
            norm("\(layer).norm1", p.convDim)
            linear("\(layer).linear1", p.encoderFFNDim, p.convDim)
            linear("\(layer).linear2", p.convDim, p.encoderFFNDim)
            norm("\(layer).norm2", p.convDim)
        }
        add("\(pd).mask_features.weight", [p.maskDim, p.convDim, 1, 1]); add("\(pd).mask_features.bias", [p.maskDim])
        // FPN levels between common_stride and the finest transformer level, finest first,
        // named adapter_1, layer_1, ... (lateral 1x1 and output 3x3 convolutions, no bias, GN).
        let finest = levels.map(\.stride).min() ?? p.commonStride
        for (i, f) in features.filter({ $0.stride >= p.commonStride && $0.stride < finest }).enumerated() {
            add("\(pd).adapter_\(i + 1).weight", [p.convDim, f.channels, 1, 1])
            norm("\(pd).adapter_\(i + 1).norm", p.convDim)
            add("\(pd).layer_\(i + 1).weight", [p.convDim, p.convDim, 3, 3])
            norm("\(pd).layer_\(i + 1).norm", p.convDim)
        }

        // Masked-attention transformer decoder.
        let d = config.transformerDecoder, pr = "sem_seg_head.predictor", h = d.hiddenDim
        add("\(pr).logit_scale", [])
        for i in 0..<d.layers {
            mha("\(pr).transformer_self_attention_layers.\(i).self_attn", h)
            norm("\(pr).transformer_self_attention_layers.\(i).norm", h)
            mha("\(pr).transformer_cross_attention_layers.\(i).multihead_attn", h)
            norm("\(pr).transformer_cross_attention_layers.\(i).norm", h)
            linear("\(pr).transformer_ffn_layers.\(i).linear1", d.ffnDim, h)
            linear("\(pr).transformer_ffn_layers.\(i).linear2", h, d.ffnDim)
            norm("\(pr).transformer_ffn_layers.\(i).norm", h)
        }
        norm("\(pr).decoder_norm", h)
        add("\(pr).query_feat.weight", [d.numQueries, h])
        add("\(pr).query_embed.weight", [d.numQueries, h])
        add("\(pr).level_embed.weight", [levels.count, h])
        if p.convDim != h {
            for l in 0..<levels.count {
                add("\(pr).input_proj.\(l).weight", [h, p.convDim, 1, 1]); add("\(pr).input_proj.\(l).bias", [h])
            }
        }
        linear("\(pr).mask_embed.layers.0", h, h)
        linear("\(pr).mask_embed.layers.1", h, h)
        linear("\(pr).mask_embed.layers.2", p.maskDim, h)
        norm("\(pr)._mask_pooling_proj.0", h)
        linear("\(pr)._mask_pooling_proj.1", h, h)
        linear("\(pr).class_embed.layers.0", h, h)
        linear("\(pr).class_embed.layers.1", h, h)
        linear("\(pr).class_embed.layers.2", e, h)

        add("void_embedding.weight", [1, e])
        return out
    }
}
