import ModelIO
import Tensor

/// The frozen CLIP model FC-CLIP is built on, loaded from a bundle by the checkpoint's own
/// key names (`backbone.clip_model.…`): tokenizer, text encoder, ConvNeXt trunk and the
/// head that projects pooled features into the embedding space.
public struct CLIPModel: Sendable {
    public let config: ModelConfig.CLIPConfig
    public let tokenizer: CLIPTokenizer
    public let textEncoder: CLIPTextEncoder
    public let trunk: ConvNeXtTrunk
    public let visualHead: CLIPVisualHead
    /// The raw `logit_scale` weight; the scale used is `min(exp(w), logit_scale_max)`.
    public let logitScale: Float
    /// FC-CLIP's learned void embedding (`void_embedding.weight`), appended to every classifier.
    public let voidEmbedding: Tensor

    public init(bundle: ModelBundle) throws {
        let config = bundle.config.clip
        guard config.text.vocabSize == CLIPTokenizer.vocabularySize else {
            throw ModelIOError.invalidConfig(path: bundle.directory + "/model.json", key: "clip.text.vocab_size",
                                             reason: "is \(config.text.vocabSize), but the CLIP BPE tokenizer has \(CLIPTokenizer.vocabularySize) ids")
        }
        let clip = bundle.weights.scoped("backbone.clip_model")
        self.config = config
        tokenizer = try CLIPTokenizer(vocabularyPath: bundle.tokenizerPath)
        textEncoder = try CLIPTextEncoder(clip, config: config)
        trunk = try ConvNeXtTrunk(clip.scoped("visual.trunk"), config: config.vision)
        visualHead = try CLIPVisualHead(clip.scoped("visual"), config: config)
        logitScale = try clip.tensor("logit_scale", []).scalarValue
        voidEmbedding = try bundle.weights.tensor("void_embedding.weight", [1, config.embedDim])
    }

    /// The text classifier of `vocabulary`: every synonym in every template, encoded,
    /// averaged per synonym, plus the void embedding (spec §4.4). Costs one text-encoder
    /// pass per prompt (synonyms × templates); cache the result per vocabulary.
    public func textClassifier(for vocabulary: Vocabulary, templates: [String] = PromptTemplates.vild) -> TextClassifier {
        let tokens = tokenizer.tokenize(vocabulary.prompts(templates: templates), contextLength: config.text.contextLength)
        return TextClassifier(promptFeatures: textEncoder.encode(tokens), templatesPerSynonym: templates.count,
                              synonymCounts: vocabulary.synonymCounts, voidEmbedding: voidEmbedding)
    }

    /// CLIP embeddings `[N, embed_dim]` of mask-pooled dense features `[N, dims[3]]`.
    public func embedPooledFeatures(_ pooled: Tensor) -> Tensor { visualHead(pooled) }
}
