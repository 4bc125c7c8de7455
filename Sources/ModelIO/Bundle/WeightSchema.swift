import Foundation

/// A tensor the model needs: its checkpoint key and shape.
public struct ExpectedTensor: Sendable, Equatable {
    public let key: String
    public let shape: [Int]
    public init(_ key: String, _ shape: [Int]) {
        self.key = key
        self.shape = shape
    }
}

/// How much a weight file can hold. The schema a model.json implies is derived only while it
/// stays within this, so a model.json whose counts no file could satisfy (`"depths": [1000000000,
/// 1, 2, 1]`) is an error before the schema is built, not a loop or an allocation without bound.
public struct WeightBudget: Sendable, Equatable {
    /// Tensors a file missing this many more than it holds is still listed tensor by tensor.
    public static let missingTensorAllowance = 1_024

    /// The most tensors the schema may have.
    public let tensors: Int
    /// The most values (elements) the schema's tensors may have together.
    public let values: Int
    /// What the budget comes from, for messages ("weights.safetensors holds 227 tensors, 4,320,600 bytes").
    public let origin: String

    public init(tensors: Int, values: Int, origin: String) {
        self.tensors = tensors
        self.values = values
        self.origin = origin
    }

    /// No bound (configurations built in code).
    public static let unlimited = WeightBudget(tensors: .max, values: .max, origin: "no weight file")

    /// What `file` can hold: its tensors plus `missingTensorAllowance`, and one value per byte of
    /// tensor data (no dtype is smaller than a byte; the float dtypes take two or more).
    public init(file: SafeTensorsFile) {
        let bytes = file.entries.values.reduce(0) { $0 + $1.byteCount }
        self.init(tensors: file.entries.count + Self.missingTensorAllowance, values: bytes,
                  origin: "\((file.path as NSString).lastPathComponent) holds \(file.entries.count) tensors, \(bytes) bytes of data")
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

    /// The tensors `config` implies. Sizes are multiplied with overflow checks and the schema
    /// stops growing at `budget`: either is an `invalidConfig` error about `path` (model.json)
    /// that names the section of model.json responsible, never a trap or an unbounded loop.
    public static func fcclip(_ config: ModelConfig, path: String = "model.json", budget: WeightBudget = .unlimited) throws -> [ExpectedTensor] {
        var out: [ExpectedTensor] = []
        var values = 0
        // The model.json key that the tensors being added depend on, for errors.
        var section = "clip.text"
        func fail(_ reason: String) -> ModelIOError { .invalidConfig(path: path, key: section, reason: reason) }
        func times(_ a: Int, _ b: Int) throws -> Int {
            let (product, overflow) = a.multipliedReportingOverflow(by: b)
            guard !overflow else { throw fail("\(a) × \(b) does not fit in 64 bits; the value is far too large") }
            return product
        }
        func add(_ key: String, _ shape: [Int]) throws {
            let count = try shape.reduce(1) { try times($0, $1) }
            let (total, overflow) = values.addingReportingOverflow(count)
            guard out.count < budget.tensors else {
                throw fail("implies more than \(budget.tensors) tensors, but \(budget.origin): model.json does not describe these weights")
            }
            guard !overflow, total <= budget.values else {
                throw fail("implies more values than the weights can hold (\(budget.origin); '\(key)' alone has shape \(formatShape(shape))): model.json does not describe these weights")
            }
            values = total
            out.append(ExpectedTensor(key, shape))
        }
        func norm(_ prefix: String, _ c: Int) throws { try add("\(prefix).weight", [c]); try add("\(prefix).bias", [c]) }
        func linear(_ prefix: String, _ outF: Int, _ inF: Int, bias: Bool = true) throws {
            try add("\(prefix).weight", [outF, inF])
            if bias { try add("\(prefix).bias", [outF]) }
        }
        func mha(_ prefix: String, _ e: Int) throws {
            let e3 = try times(3, e)
            try add("\(prefix).in_proj_weight", [e3, e]); try add("\(prefix).in_proj_bias", [e3])
            try linear("\(prefix).out_proj", e, e)
        }

        guard config.clip.vision.dims.count == 4, config.clip.vision.depths.count == 4 else {
            section = "clip.vision"
            throw fail("dims and depths need 4 entries each")
        }

        // CLIP text tower.
        let clip = "backbone.clip_model"
        let t = config.clip.text, e = config.clip.embedDim
        try add("\(clip).positional_embedding", [t.contextLength, t.width])
        try add("\(clip).text_projection", [t.width, e])
        try add("\(clip).logit_scale", [])
        try add("\(clip).token_embedding.weight", [t.vocabSize, t.width])
        try norm("\(clip).ln_final", t.width)
        section = "clip.text.layers"
        let textHidden = try times(t.width, t.mlpRatio)
        for i in 0..<max(t.layers, 0) {
            let p = "\(clip).transformer.resblocks.\(i)"
            try norm("\(p).ln_1", t.width)
            try mha("\(p).attn", t.width)
            try norm("\(p).ln_2", t.width)
            try linear("\(p).mlp.c_fc", textHidden, t.width)
            try linear("\(p).mlp.c_proj", t.width, textHidden)
        }

        // CLIP ConvNeXt trunk and head.
        section = "clip.vision"
        let v = config.clip.vision, trunk = "\(clip).visual.trunk"
        try add("\(trunk).stem.0.weight", [v.dims[0], 3, 4, 4]); try add("\(trunk).stem.0.bias", [v.dims[0]])
        try norm("\(trunk).stem.1", v.dims[0])
        for s in 0..<4 {
            let d = v.dims[s], stage = "\(trunk).stages.\(s)"
            if s > 0 {
                try norm("\(stage).downsample.0", v.dims[s - 1])
                try add("\(stage).downsample.1.weight", [d, v.dims[s - 1], 2, 2]); try add("\(stage).downsample.1.bias", [d])
            }
            section = "clip.vision.depths"
            let hidden = try times(d, v.mlpRatio)
            for b in 0..<max(v.depths[s], 0) {
                let block = "\(stage).blocks.\(b)"
                try add("\(block).gamma", [d])
                try add("\(block).conv_dw.weight", [d, 1, v.kernelSize, v.kernelSize]); try add("\(block).conv_dw.bias", [d])
                try norm("\(block).norm", d)
                try linear("\(block).mlp.fc1", hidden, d)
                try linear("\(block).mlp.fc2", d, hidden)
            }
            section = "clip.vision"
        }
        try norm("\(trunk).head.norm", v.dims[3])
        try linear("\(clip).visual.head.mlp.fc1", v.headHiddenDim, v.dims[3])
        try linear("\(clip).visual.head.mlp.fc2", e, v.headHiddenDim, bias: false)

        // Pixel decoder: levels ordered coarse to fine (res5, res4, res3 in the default config).
        section = "pixel_decoder"
        let p = config.pixelDecoder, pd = "sem_seg_head.pixel_decoder"
        let features = config.backboneFeatures
        let levels = features.filter { p.transformerInFeatures.contains($0.name) }.sorted { $0.stride > $1.stride }
        for (l, f) in levels.enumerated() {
            try add("\(pd).input_proj.\(l).0.weight", [p.convDim, f.channels, 1, 1]); try add("\(pd).input_proj.\(l).0.bias", [p.convDim])
            try norm("\(pd).input_proj.\(l).1", p.convDim)
        }
        try add("\(pd).transformer.level_embed", [levels.count, p.convDim])
        section = "pixel_decoder.encoder_points"
        let samples = try times(try times(p.encoderHeads, levels.count), p.encoderPoints), offsets = try times(samples, 2)
        section = "pixel_decoder.encoder_layers"
        for i in 0..<max(p.encoderLayers, 0) {
            let layer = "\(pd).transformer.encoder.layers.\(i)"
            try linear("\(layer).self_attn.sampling_offsets", offsets, p.convDim)
            try linear("\(layer).self_attn.attention_weights", samples, p.convDim)
            try linear("\(layer).self_attn.value_proj", p.convDim, p.convDim)
            try linear("\(layer).self_attn.output_proj", p.convDim, p.convDim)
            try norm("\(layer).norm1", p.convDim)
            try linear("\(layer).linear1", p.encoderFFNDim, p.convDim)
            try linear("\(layer).linear2", p.convDim, p.encoderFFNDim)
            try norm("\(layer).norm2", p.convDim)
        }
        section = "pixel_decoder"
        try add("\(pd).mask_features.weight", [p.maskDim, p.convDim, 1, 1]); try add("\(pd).mask_features.bias", [p.maskDim])
        // FPN levels between common_stride and the finest transformer level, finest first,
        // named adapter_1, layer_1, ... (lateral 1x1 and output 3x3 convolutions, no bias, GN).
        let finest = levels.map(\.stride).min() ?? p.commonStride
        for (i, f) in features.filter({ $0.stride >= p.commonStride && $0.stride < finest }).enumerated() {
            try add("\(pd).adapter_\(i + 1).weight", [p.convDim, f.channels, 1, 1])
            try norm("\(pd).adapter_\(i + 1).norm", p.convDim)
            try add("\(pd).layer_\(i + 1).weight", [p.convDim, p.convDim, 3, 3])
            try norm("\(pd).layer_\(i + 1).norm", p.convDim)
        }

        // Masked-attention transformer decoder.
        section = "transformer_decoder"
        let d = config.transformerDecoder, pr = "sem_seg_head.predictor", h = d.hiddenDim
        try add("\(pr).logit_scale", [])
        section = "transformer_decoder.layers"
        for i in 0..<max(d.layers, 0) {
            try mha("\(pr).transformer_self_attention_layers.\(i).self_attn", h)
            try norm("\(pr).transformer_self_attention_layers.\(i).norm", h)
            try mha("\(pr).transformer_cross_attention_layers.\(i).multihead_attn", h)
            try norm("\(pr).transformer_cross_attention_layers.\(i).norm", h)
            try linear("\(pr).transformer_ffn_layers.\(i).linear1", d.ffnDim, h)
            try linear("\(pr).transformer_ffn_layers.\(i).linear2", h, d.ffnDim)
            try norm("\(pr).transformer_ffn_layers.\(i).norm", h)
        }
        section = "transformer_decoder"
        try norm("\(pr).decoder_norm", h)
        try add("\(pr).query_feat.weight", [d.numQueries, h])
        try add("\(pr).query_embed.weight", [d.numQueries, h])
        try add("\(pr).level_embed.weight", [levels.count, h])
        if p.convDim != h {
            for l in 0..<levels.count {
                try add("\(pr).input_proj.\(l).weight", [h, p.convDim, 1, 1]); try add("\(pr).input_proj.\(l).bias", [h])
            }
        }
        try linear("\(pr).mask_embed.layers.0", h, h)
        try linear("\(pr).mask_embed.layers.1", h, h)
        try linear("\(pr).mask_embed.layers.2", p.maskDim, h)
        try norm("\(pr)._mask_pooling_proj.0", h)
        try linear("\(pr)._mask_pooling_proj.1", h, h)
        try linear("\(pr).class_embed.layers.0", h, h)
        try linear("\(pr).class_embed.layers.1", h, h)
        try linear("\(pr).class_embed.layers.2", e, h)

        section = "clip.embed_dim"
        try add("void_embedding.weight", [1, e])
        return out
    }
}
