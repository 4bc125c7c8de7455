import Testing
import CLIP
import ModelIO
import Tensor
import GoldenFixtures

/// The text transformer, the classifier built from it and the classification rule,
/// against the official tensors (tokens come from the fixture, independent of our tokenizer).
@Suite struct TextParityTests {
    static let templates = 14

    private func tokens(_ f: GoldenFixture) throws -> [[Int32]] {
        let (shape, values) = try f.io.integers("text.tokens")
        return (0..<shape[0]).map { r in values[(r * shape[1])..<((r + 1) * shape[1])].map { Int32($0) } }
    }

    @Test(arguments: ["tiny-a", "tiny-b"])
    func promptFeaturesMatch(fixture: String) throws {
        let f = try GoldenFixture(fixture)
        let encoder = try CLIPTextEncoder(f.bundle.weights.scoped("backbone.clip_model"), config: f.bundle.config.clip)
        let features = encoder.encode(try tokens(f))
        #expect(parity(fixture, "text.prompt_features", features, try f.reference("text.prompt_features")) <= 1e-4)
    }

    @Test(arguments: ["tiny-a", "tiny-b"])
    func classifierMatches(fixture: String) throws {
        let f = try GoldenFixture(fixture)
        let counts = try f.integers("text.num_templates").map { Int($0) }
        let classifier = TextClassifier(promptFeatures: try f.reference("text.prompt_features"), templatesPerSynonym: Self.templates,
                                        synonymCounts: counts,
                                        voidEmbedding: try f.bundle.weights.tensor("void_embedding.weight", [1, f.bundle.config.clip.embedDim]))
        let want = try f.reference("text.classifier_with_void")
        #expect(parity(fixture, "text.classifier_with_void", classifier.embeddings, want) <= 1e-4)
        let s = counts.reduce(0, +)
        let synonymsOnly = Tensor(shape: [s, want.shape[1]], values: Array(classifier.embeddings.scalars.prefix(s * want.shape[1])))
        #expect(parity(fixture, "text.classifier", synonymsOnly, try f.reference("text.classifier")) <= 1e-4)
    }

    @Test(arguments: ["tiny-a", "tiny-b"])
    func classificationLogitsMatchBothBranches(fixture: String) throws {
        let f = try GoldenFixture(fixture)
        let counts = try f.integers("text.num_templates").map { Int($0) }
        let classifier = TextClassifier(promptFeatures: try f.reference("text.prompt_features"), templatesPerSynonym: Self.templates,
                                        synonymCounts: counts,
                                        voidEmbedding: try f.bundle.weights.tensor("void_embedding.weight", [1, f.bundle.config.clip.embedDim]))
        let maxScale = Float(f.bundle.config.clip.logitScaleMax)
        // In-vocabulary: the final decoder head's class embeddings with the decoder's scale.
        let layers = f.bundle.config.transformerDecoder.layers
        let classEmbed = try f.reference("decoder.head.\(layers).class_embed")
        let q = classEmbed.shape[1]
        let decoderScale = try f.bundle.weights.tensor("sem_seg_head.predictor.logit_scale", []).scalarValue
        let inVocab = classifier.logits(classEmbed.reshaped([q, classEmbed.shape[2]]), logitScale: decoderScale, maxScale: maxScale)
        let wantIn = try f.reference("decoder.pred_logits")
        #expect(parity(fixture, "decoder.pred_logits", inVocab.reshaped(wantIn.shape), wantIn) <= 1e-4)
        // Out-of-vocabulary: pooled CLIP embeddings with CLIP's scale (tiny-b's exp is 120, clamped to 100).
        let embed = try f.reference("clip_pool.embed")
        let clipScale = try f.bundle.weights.tensor("backbone.clip_model.logit_scale", []).scalarValue
        let outVocab = classifier.logits(embed.reshaped([q, embed.shape[2]]), logitScale: clipScale, maxScale: maxScale)
        let wantOut = try f.reference("ensemble.out_vocab_logits")
        #expect(parity(fixture, "ensemble.out_vocab_logits", outVocab.reshaped(wantOut.shape), wantOut) <= 1e-4)
    }
}

/// The whole text path from the user's vocabulary file: vocabulary → prompts → tokenizer →
/// text encoder → classifier, against the official classifier.
@Suite struct TextClassifierEndToEndTests {
    @Test(arguments: ["tiny-a", "tiny-b"])
    func vocabularyFileToClassifier(fixture: String) throws {
        let f = try GoldenFixture(fixture)
        let model = try CLIPModel(bundle: f.bundle)
        let vocabulary = try Vocabulary.load(path: GoldenFixture.root.appendingPathComponent("fcclip/\(fixture)/vocab.txt").path)
        let classifier = model.textClassifier(for: vocabulary)
        #expect(classifier.synonymCounts == (try f.integers("text.num_templates")).map { Int($0) })
        #expect(parity(fixture, "text.classifier_with_void (from vocab.txt)", classifier.embeddings,
                       try f.reference("text.classifier_with_void")) <= 1e-4)
    }
}
