import Foundation

/// The architecture and default inference settings of an FC-CLIP model, as written in a
/// bundle's `model.json` (schema: README.md, "Model bundles"). Keys are snake_case in the
/// file. Unknown keys and missing keys are errors that name the key; only `inference` keys
/// may be omitted, and default to the FC-CLIP evaluation settings.
public struct ModelConfig: Codable, Sendable, Equatable {
    /// The only format this version reads.
    public static let currentFormat = "segd.fcclip.v1"

    public var format: String
    public var name: String
    /// Weight file, relative to the bundle folder.
    public var weights: String
    /// BPE vocabulary (gzip), relative to the bundle folder.
    public var tokenizer: String
    public var clip: CLIPConfig
    public var pixelDecoder: PixelDecoderConfig
    public var transformerDecoder: TransformerDecoderConfig
    public var input: InputConfig
    public var inference: InferenceConfig

    enum CodingKeys: String, CodingKey, CaseIterable {
        case format, name, weights, tokenizer, clip
        case pixelDecoder = "pixel_decoder", transformerDecoder = "transformer_decoder", input, inference
    }

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        format = try c.decode(String.self, forKey: .format)
        name = try c.decode(String.self, forKey: .name)
        weights = try c.decode(String.self, forKey: .weights)
        tokenizer = try c.decode(String.self, forKey: .tokenizer)
        clip = try c.decode(CLIPConfig.self, forKey: .clip)
        pixelDecoder = try c.decode(PixelDecoderConfig.self, forKey: .pixelDecoder)
        transformerDecoder = try c.decode(TransformerDecoderConfig.self, forKey: .transformerDecoder)
        input = try c.decode(InputConfig.self, forKey: .input)
        inference = try c.decodeIfPresent(InferenceConfig.self, forKey: .inference) ?? InferenceConfig()
    }

    /// The CLIP towers (open_clip ConvNeXt visual tower and text transformer).
    public struct CLIPConfig: Codable, Sendable, Equatable {
        public var embedDim: Int
        public var logitScaleMax: Double
        public var vision: VisionConfig
        public var text: TextConfig

        enum CodingKeys: String, CodingKey, CaseIterable {
            case embedDim = "embed_dim", logitScaleMax = "logit_scale_max", vision, text
        }

        public init(from decoder: Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            embedDim = try c.decode(Int.self, forKey: .embedDim)
            logitScaleMax = try c.decode(Double.self, forKey: .logitScaleMax)
            vision = try c.decode(VisionConfig.self, forKey: .vision)
            text = try c.decode(TextConfig.self, forKey: .text)
        }
    }

    /// The ConvNeXt trunk and the CLIP head (LayerNorm + MLP) that projects pooled features.
    public struct VisionConfig: Codable, Sendable, Equatable {
        public var arch: String
        public var depths: [Int]
        public var dims: [Int]
        public var kernelSize: Int
        public var mlpRatio: Int
        public var lnEps: Double
        public var headHiddenDim: Int

        enum CodingKeys: String, CodingKey, CaseIterable {
            case arch, depths, dims, kernelSize = "kernel_size", mlpRatio = "mlp_ratio", lnEps = "ln_eps"
            case headHiddenDim = "head_hidden_dim"
        }

        public init(from decoder: Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            arch = try c.decode(String.self, forKey: .arch)
            depths = try c.decode([Int].self, forKey: .depths)
            dims = try c.decode([Int].self, forKey: .dims)
            kernelSize = try c.decode(Int.self, forKey: .kernelSize)
            mlpRatio = try c.decode(Int.self, forKey: .mlpRatio)
            lnEps = try c.decode(Double.self, forKey: .lnEps)
            headHiddenDim = try c.decode(Int.self, forKey: .headHiddenDim)
        }
    }

    /// The causal text transformer.
    public struct TextConfig: Codable, Sendable, Equatable {
        public var contextLength: Int
        public var vocabSize: Int
        public var width: Int
        public var heads: Int
        public var layers: Int
        public var mlpRatio: Int
        public var lnEps: Double

        enum CodingKeys: String, CodingKey, CaseIterable {
            case contextLength = "context_length", vocabSize = "vocab_size", width, heads, layers
            case mlpRatio = "mlp_ratio", lnEps = "ln_eps"
        }

        public init(from decoder: Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            contextLength = try c.decode(Int.self, forKey: .contextLength)
            vocabSize = try c.decode(Int.self, forKey: .vocabSize)
            width = try c.decode(Int.self, forKey: .width)
            heads = try c.decode(Int.self, forKey: .heads)
            layers = try c.decode(Int.self, forKey: .layers)
            mlpRatio = try c.decode(Int.self, forKey: .mlpRatio)
            lnEps = try c.decode(Double.self, forKey: .lnEps)
        }
    }

    /// The multi-scale deformable-attention pixel decoder.
    public struct PixelDecoderConfig: Codable, Sendable, Equatable {
        public var convDim: Int
        public var maskDim: Int
        public var gnGroups: Int
        public var gnEps: Double
        public var transformerInFeatures: [String]
        public var commonStride: Int
        public var encoderLayers: Int
        public var encoderHeads: Int
        public var encoderPoints: Int
        public var encoderFFNDim: Int

        enum CodingKeys: String, CodingKey, CaseIterable {
            case convDim = "conv_dim", maskDim = "mask_dim", gnGroups = "gn_groups", gnEps = "gn_eps"
            case transformerInFeatures = "transformer_in_features", commonStride = "common_stride"
            case encoderLayers = "encoder_layers", encoderHeads = "encoder_heads", encoderPoints = "encoder_points"
            case encoderFFNDim = "encoder_ffn_dim"
        }

        public init(from decoder: Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            convDim = try c.decode(Int.self, forKey: .convDim)
            maskDim = try c.decode(Int.self, forKey: .maskDim)
            gnGroups = try c.decode(Int.self, forKey: .gnGroups)
            gnEps = try c.decode(Double.self, forKey: .gnEps)
            transformerInFeatures = try c.decode([String].self, forKey: .transformerInFeatures)
            commonStride = try c.decode(Int.self, forKey: .commonStride)
            encoderLayers = try c.decode(Int.self, forKey: .encoderLayers)
            encoderHeads = try c.decode(Int.self, forKey: .encoderHeads)
            encoderPoints = try c.decode(Int.self, forKey: .encoderPoints)
            encoderFFNDim = try c.decode(Int.self, forKey: .encoderFFNDim)
        }
    }

    /// The masked-attention transformer decoder. `layers` is the number of layers run
    /// (the official DEC_LAYERS minus one).
    public struct TransformerDecoderConfig: Codable, Sendable, Equatable {
        public var hiddenDim: Int
        public var numQueries: Int
        public var layers: Int
        public var heads: Int
        public var ffnDim: Int
        public var preNorm: Bool

        enum CodingKeys: String, CodingKey, CaseIterable {
            case hiddenDim = "hidden_dim", numQueries = "num_queries", layers, heads, ffnDim = "ffn_dim", preNorm = "pre_norm"
        }

        public init(from decoder: Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            hiddenDim = try c.decode(Int.self, forKey: .hiddenDim)
            numQueries = try c.decode(Int.self, forKey: .numQueries)
            layers = try c.decode(Int.self, forKey: .layers)
            heads = try c.decode(Int.self, forKey: .heads)
            ffnDim = try c.decode(Int.self, forKey: .ffnDim)
            preNorm = try c.decode(Bool.self, forKey: .preNorm)
        }
    }

    /// Preprocessing: normalisation constants, padding and the test-time resize.
    public struct InputConfig: Codable, Sendable, Equatable {
        public var pixelMean: [Double]
        public var pixelStd: [Double]
        public var sizeDivisibility: Int
        public var minSizeTest: Int
        public var maxSizeTest: Int

        enum CodingKeys: String, CodingKey, CaseIterable {
            case pixelMean = "pixel_mean", pixelStd = "pixel_std", sizeDivisibility = "size_divisibility"
            case minSizeTest = "min_size_test", maxSizeTest = "max_size_test"
        }

        public init(from decoder: Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            pixelMean = try c.decode([Double].self, forKey: .pixelMean)
            pixelStd = try c.decode([Double].self, forKey: .pixelStd)
            sizeDivisibility = try c.decode(Int.self, forKey: .sizeDivisibility)
            minSizeTest = try c.decode(Int.self, forKey: .minSizeTest)
            maxSizeTest = try c.decode(Int.self, forKey: .maxSizeTest)
        }
    }

    /// Default inference settings (the command line and daemon config may override them).
    public struct InferenceConfig: Codable, Sendable, Equatable {
        public var alpha: Double = 0.4
        public var beta: Double = 0.8
        public var ensembleOnValidMask: Bool = false
        public var objectMaskThreshold: Double = 0.0
        public var overlapThreshold: Double = 0.8
        public var detectionsPerImage: Int = 100
        public var semSegPostprocessBeforeInference: Bool = true

        enum CodingKeys: String, CodingKey, CaseIterable {
            case alpha, beta, ensembleOnValidMask = "ensemble_on_valid_mask"
            case objectMaskThreshold = "object_mask_threshold", overlapThreshold = "overlap_threshold"
            case detectionsPerImage = "detections_per_image"
            case semSegPostprocessBeforeInference = "sem_seg_postprocess_before_inference"
        }

        public init() {}

        public init(from decoder: Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let d = InferenceConfig()
            alpha = try c.decodeIfPresent(Double.self, forKey: .alpha) ?? d.alpha
            beta = try c.decodeIfPresent(Double.self, forKey: .beta) ?? d.beta
            ensembleOnValidMask = try c.decodeIfPresent(Bool.self, forKey: .ensembleOnValidMask) ?? d.ensembleOnValidMask
            objectMaskThreshold = try c.decodeIfPresent(Double.self, forKey: .objectMaskThreshold) ?? d.objectMaskThreshold
            overlapThreshold = try c.decodeIfPresent(Double.self, forKey: .overlapThreshold) ?? d.overlapThreshold
            detectionsPerImage = try c.decodeIfPresent(Int.self, forKey: .detectionsPerImage) ?? d.detectionsPerImage
            semSegPostprocessBeforeInference = try c.decodeIfPresent(Bool.self, forKey: .semSegPostprocessBeforeInference)
                ?? d.semSegPostprocessBeforeInference
        }
    }
}

extension ModelConfig {
    /// The largest model.json read (the real one is about 2 KB).
    public static let maxFileBytes = 1 << 20

    /// Reads and validates `model.json` at `path`, which must be a regular file.
    public static func load(path: String) throws -> ModelConfig {
        try decode(RegularFile.read(path: path, what: "model configuration", limit: maxFileBytes), path: path)
    }

    /// Decodes and validates model.json contents; `path` is used in error messages. A key given
    /// twice in one object is an error (readers disagree on which value wins).
    public static func decode(_ data: Data, path: String) throws -> ModelConfig {
        let scan = JSONKeyScan(data)
        if let key = scan?.duplicateKey {
            throw ModelIOError.invalidConfig(path: path, key: key, reason: "is given twice in the same object; keep one (JSON readers disagree on which value wins)")
        }
        let config: ModelConfig
        do {
            config = try JSONDecoder().decode(ModelConfig.self, from: data)
        } catch let e as UnknownKeyError {
            let key = (e.path + [e.key]).joined(separator: ".")
            throw ModelIOError.invalidConfig(path: path, key: key, reason: "unknown key (known keys here: \(e.known.joined(separator: ", ")))")
        } catch let DecodingError.keyNotFound(key, context) {
            throw ModelIOError.invalidConfig(path: path, key: keyPath(context.codingPath + [key]), reason: "missing key")
        } catch let DecodingError.typeMismatch(type, context) {
            let key = keyPath(context.codingPath)
            throw ModelIOError.invalidConfig(path: path, key: key, reason: "expected \(describe(type, key: key))")
        } catch let DecodingError.valueNotFound(type, context) {
            let key = keyPath(context.codingPath)
            throw ModelIOError.invalidConfig(path: path, key: key, reason: "expected \(describe(type, key: key)), found null")
        } catch let DecodingError.dataCorrupted(context) {
            let key = keyPath(context.codingPath)
            guard key.isEmpty else { throw ModelIOError.invalidConfig(path: path, key: key, reason: context.debugDescription) }
            // The decoder reports a number it cannot hold as "not valid JSON" without a key.
            if let scan, let (number, literal) = unrepresentableNumber(in: data, scan: scan) {
                throw ModelIOError.invalidConfig(path: path, key: number.path, reason: describeUnrepresentable(literal))
            }
            throw ModelIOError.invalidConfig(path: path, key: "", reason: "not valid JSON")
        }
        try config.validate(path: path)
        return config
    }

    /// `clip.vision.dims[1]` for a coding path.
    private static func keyPath(_ codingPath: [any CodingKey]) -> String {
        codingPath.reduce(into: "") { out, key in
            if let i = key.intValue { out += "[\(i)]" } else { out += out.isEmpty ? key.stringValue : ".\(key.stringValue)" }
        }
    }

    /// The first number literal that the decoder cannot hold where it stands (an integer beyond
    /// 64 bits, a fraction where an integer belongs, a number beyond Double's range): the one
    /// whose replacement by 0 lets the decoder get past it.
    private static func unrepresentableNumber(in data: Data, scan: JSONKeyScan) -> (JSONKeyScan.Number, String)? {
        let bytes = [UInt8](data)
        let suspects = scan.numbers.filter { Int(String(decoding: bytes[$0.range], as: UTF8.self)) == nil }
        func decodesPastNumbers(replacing replaced: [JSONKeyScan.Number]) -> Bool {
            var patched = bytes
            for n in replaced.reversed() { patched.replaceSubrange(n.range, with: [UInt8(ascii: "0")]) }
            do {
                _ = try JSONDecoder().decode(ModelConfig.self, from: Data(patched))
            } catch let DecodingError.dataCorrupted(context) where context.codingPath.isEmpty {
                return false
            } catch {}
            return true
        }
        guard !suspects.isEmpty, decodesPastNumbers(replacing: suspects) else { return nil }
        for (i, suspect) in suspects.enumerated() {
            var others = suspects
            others.remove(at: i)
            if !decodesPastNumbers(replacing: others) {
                return (suspect, String(decoding: bytes[suspect.range], as: UTF8.self))
            }
        }
        return nil
    }

    private static func describeUnrepresentable(_ literal: String) -> String {
        let isInteger = !literal.contains { ".eE".contains($0) }
        if isInteger { return "\(literal) is out of range (an integer must fit in 64 bits; see the limits in the README, \"Model bundles\")" }
        if let value = Double(literal), value.isFinite { return "expected an integer, found \(literal)" }
        return "\(literal) is out of range"
    }

    /// Lists model.json holds, described for type errors.
    private static let listExpectations = [
        "clip.vision.depths": "a list of 4 integers", "clip.vision.dims": "a list of 4 integers",
        "input.pixel_mean": "a list of 3 numbers", "input.pixel_std": "a list of 3 numbers",
        "pixel_decoder.transformer_in_features": "a list of strings",
    ]

    private static func describe(_ type: Any.Type, key: String) -> String {
        switch type {
        case is Int.Type: return "an integer"
        case is Double.Type: return "a number"
        case is String.Type: return "a string"
        case is Bool.Type: return "true or false"
        case is [Int].Type: return "a list of integers"
        case is [Double].Type: return "a list of numbers"
        case is [String].Type: return "a list of strings"
        case is [Any].Type: return listExpectations[key] ?? "a list"
        default: return "an object"
        }
    }

    /// Upper bounds on model.json's sizes and counts (README, "Model bundles"). Far above any
    /// FC-CLIP model (ConvNeXt-XXLarge has widths up to 3,072 and 30 blocks in a stage), they keep
    /// every shape and count the weight schema derives far from overflow.
    public enum Limits {
        /// Widths and sizes: `dims`, `embed_dim`, `head_hidden_dim`, `text.width`, `conv_dim`,
        /// `mask_dim`, `hidden_dim`, the FFN widths, `num_queries`, `detections_per_image`.
        public static let width = 65_536
        /// Block and layer counts, heads, sampling points, GroupNorm groups.
        public static let count = 1_024
        /// `mlp_ratio`.
        public static let mlpRatio = 64
        /// `kernel_size`.
        public static let kernelSize = 31
        /// `text.context_length`.
        public static let contextLength = 4_096
        /// `text.vocab_size`.
        public static let vocabularySize = 1 << 20
        /// `min_size_test`, `max_size_test` and `size_divisibility`, in pixels.
        public static let imageSide = 16_384
    }

    /// Throws the first value above its `Limits` bound, naming the key.
    private func checkLimits(_ fail: (String, String) -> ModelIOError) throws {
        let v = clip.vision, t = clip.text, p = pixelDecoder, d = transformerDecoder
        var bounded: [(String, Int, Int)] = []
        for (i, w) in v.dims.enumerated() { bounded.append(("clip.vision.dims[\(i)]", w, Limits.width)) }
        for (i, n) in v.depths.enumerated() { bounded.append(("clip.vision.depths[\(i)]", n, Limits.count)) }
        bounded += [
            ("clip.embed_dim", clip.embedDim, Limits.width), ("clip.vision.head_hidden_dim", v.headHiddenDim, Limits.width),
            ("clip.vision.kernel_size", v.kernelSize, Limits.kernelSize), ("clip.vision.mlp_ratio", v.mlpRatio, Limits.mlpRatio),
            ("clip.text.context_length", t.contextLength, Limits.contextLength), ("clip.text.vocab_size", t.vocabSize, Limits.vocabularySize),
            ("clip.text.width", t.width, Limits.width), ("clip.text.heads", t.heads, Limits.count),
            ("clip.text.layers", t.layers, Limits.count), ("clip.text.mlp_ratio", t.mlpRatio, Limits.mlpRatio),
            ("pixel_decoder.conv_dim", p.convDim, Limits.width), ("pixel_decoder.mask_dim", p.maskDim, Limits.width),
            ("pixel_decoder.gn_groups", p.gnGroups, Limits.count), ("pixel_decoder.encoder_layers", p.encoderLayers, Limits.count),
            ("pixel_decoder.encoder_heads", p.encoderHeads, Limits.count), ("pixel_decoder.encoder_points", p.encoderPoints, Limits.count),
            ("pixel_decoder.encoder_ffn_dim", p.encoderFFNDim, Limits.width),
            ("transformer_decoder.hidden_dim", d.hiddenDim, Limits.width), ("transformer_decoder.num_queries", d.numQueries, Limits.width),
            ("transformer_decoder.layers", d.layers, Limits.count), ("transformer_decoder.heads", d.heads, Limits.count),
            ("transformer_decoder.ffn_dim", d.ffnDim, Limits.width),
            ("input.size_divisibility", input.sizeDivisibility, Limits.imageSide), ("input.min_size_test", input.minSizeTest, Limits.imageSide),
            ("input.max_size_test", input.maxSizeTest, Limits.imageSide),
            ("inference.detections_per_image", inference.detectionsPerImage, Limits.width),
        ]
        for (key, value, limit) in bounded where value > limit {
            throw fail(key, "\(value) is too large: at most \(limit) (README, \"Model bundles\", lists the limits)")
        }
    }

    /// Feature names the backbone produces, with their stride and channel count.
    public var backboneFeatures: [(name: String, stride: Int, channels: Int)] {
        clip.vision.dims.enumerated().map { i, d in ("res\(i + 2)", 4 << i, d) }
    }

    /// Checks the values that the weight layout and kernels depend on.
    public func validate(path: String) throws {
        func fail(_ key: String, _ reason: String) -> ModelIOError { .invalidConfig(path: path, key: key, reason: reason) }
        guard format == ModelConfig.currentFormat else {
            throw fail("format", "'\(format)' is not supported; this segd reads '\(ModelConfig.currentFormat)'")
        }
        let v = clip.vision, t = clip.text, p = pixelDecoder, d = transformerDecoder
        guard v.arch == "convnext" else { throw fail("clip.vision.arch", "'\(v.arch)' is not supported (only 'convnext')") }
        guard v.depths.count == 4, v.depths.allSatisfy({ $0 > 0 }) else { throw fail("clip.vision.depths", "needs 4 positive block counts, got \(v.depths)") }
        guard v.dims.count == 4, v.dims.allSatisfy({ $0 > 0 }) else { throw fail("clip.vision.dims", "needs 4 positive widths, got \(v.dims)") }
        guard v.kernelSize > 0, v.kernelSize % 2 == 1 else { throw fail("clip.vision.kernel_size", "must be a positive odd number, got \(v.kernelSize)") }
        let positives: [(String, Int)] = [
            ("clip.embed_dim", clip.embedDim), ("clip.vision.mlp_ratio", v.mlpRatio), ("clip.vision.head_hidden_dim", v.headHiddenDim),
            ("clip.text.context_length", t.contextLength), ("clip.text.vocab_size", t.vocabSize), ("clip.text.width", t.width),
            ("clip.text.heads", t.heads), ("clip.text.layers", t.layers), ("clip.text.mlp_ratio", t.mlpRatio),
            ("pixel_decoder.conv_dim", p.convDim), ("pixel_decoder.mask_dim", p.maskDim), ("pixel_decoder.gn_groups", p.gnGroups),
            ("pixel_decoder.common_stride", p.commonStride), ("pixel_decoder.encoder_layers", p.encoderLayers),
            ("pixel_decoder.encoder_heads", p.encoderHeads), ("pixel_decoder.encoder_points", p.encoderPoints),
            ("pixel_decoder.encoder_ffn_dim", p.encoderFFNDim), ("transformer_decoder.hidden_dim", d.hiddenDim),
            ("transformer_decoder.num_queries", d.numQueries), ("transformer_decoder.layers", d.layers),
            ("transformer_decoder.heads", d.heads), ("transformer_decoder.ffn_dim", d.ffnDim),
            ("input.size_divisibility", input.sizeDivisibility), ("input.min_size_test", input.minSizeTest),
            ("input.max_size_test", input.maxSizeTest), ("inference.detections_per_image", inference.detectionsPerImage),
        ]
        for (key, value) in positives where value <= 0 { throw fail(key, "must be positive, got \(value)") }
        try checkLimits(fail)
        guard clip.logitScaleMax > 0 else { throw fail("clip.logit_scale_max", "must be positive") }
        for (key, eps) in [("clip.vision.ln_eps", v.lnEps), ("clip.text.ln_eps", t.lnEps), ("pixel_decoder.gn_eps", p.gnEps)]
        where !(eps > 0 && eps.isFinite) {
            throw fail(key, "must be a positive number, got \(eps)")
        }
        guard t.width % t.heads == 0 else { throw fail("clip.text.heads", "width \(t.width) is not divisible by \(t.heads) heads") }
        guard p.convDim % p.gnGroups == 0 else { throw fail("pixel_decoder.gn_groups", "conv_dim \(p.convDim) is not divisible by \(p.gnGroups) groups") }
        guard p.convDim % p.encoderHeads == 0 else { throw fail("pixel_decoder.encoder_heads", "conv_dim \(p.convDim) is not divisible by \(p.encoderHeads) heads") }
        guard d.hiddenDim % d.heads == 0 else { throw fail("transformer_decoder.heads", "hidden_dim \(d.hiddenDim) is not divisible by \(d.heads) heads") }
        guard p.maskDim == d.hiddenDim else {
            throw fail("pixel_decoder.mask_dim", "FC-CLIP pools mask features into the query space, so mask_dim (\(p.maskDim)) must equal transformer_decoder.hidden_dim (\(d.hiddenDim))")
        }
        guard !d.preNorm else { throw fail("transformer_decoder.pre_norm", "pre-norm decoders are not supported (FC-CLIP uses post-norm)") }
        let known = Dictionary(uniqueKeysWithValues: backboneFeatures.map { ($0.name, $0.stride) })
        guard !p.transformerInFeatures.isEmpty, Set(p.transformerInFeatures).count == p.transformerInFeatures.count,
              p.transformerInFeatures.allSatisfy({ known[$0] != nil }) else {
            throw fail("pixel_decoder.transformer_in_features", "must be distinct names among \(known.keys.sorted()), got \(p.transformerInFeatures)")
        }
        let minStride = p.transformerInFeatures.compactMap { known[$0] }.min()!
        guard p.commonStride.nonzeroBitCount == 1, p.commonStride >= 4, p.commonStride <= minStride else {
            throw fail("pixel_decoder.common_stride", "must be a power of two between 4 and the finest transformer feature's stride \(minStride), got \(p.commonStride)")
        }
        guard input.pixelMean.count == 3 else { throw fail("input.pixel_mean", "needs 3 values (RGB), got \(input.pixelMean.count)") }
        guard input.pixelStd.count == 3, input.pixelStd.allSatisfy({ $0 > 0 }) else { throw fail("input.pixel_std", "needs 3 positive values (RGB)") }
        guard input.minSizeTest <= input.maxSizeTest else { throw fail("input.min_size_test", "\(input.minSizeTest) exceeds max_size_test \(input.maxSizeTest)") }
        for (key, value) in [("inference.alpha", inference.alpha), ("inference.beta", inference.beta),
                             ("inference.overlap_threshold", inference.overlapThreshold)] where !(0...1).contains(value) {
            throw fail(key, "must be between 0 and 1, got \(value)")
        }
    }
}
