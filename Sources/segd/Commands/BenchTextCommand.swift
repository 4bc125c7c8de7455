import ArgumentParser
import CLIP
import Foundation
import ModelIO
import Tensor

/// `segd bench text`: the real-size text tower with seeded random weights, cold and from the cache.
struct BenchTextCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "text",
        abstract: "Time a vocabulary's text classifier at real size (seeded random weights), cold and from the cache.",
        discussion: """
        Builds the text tower described by --config (default: FC-CLIP's, width 768, 16 layers, \
        12 heads, embedding 768) with seeded random weights in memory, computes its weight digest, \
        then the classifier of --vocab twice through the cache in --cache-dir. The first build \
        encodes what the folder does not hold yet (all of it in an empty folder: the cold start); \
        the second finds every synonym (a warm start's classifier time). Run it twice with the \
        same --cache-dir to see a second process start. Without --cache-dir both builds encode \
        everything in memory.
        """
    )

    @OptionGroup var compute: ComputeOptions

    @Option(help: "The CLIP BPE vocabulary (bpe_simple_vocab_16e6.txt.gz).")
    var tokenizer: String

    @Option(help: "Vocabulary (built-in NAME, inline, or @FILE).")
    var vocab: String = "coco"

    @Option(help: ArgumentHelp("The cache folder (default: no cache).", valueName: "dir"))
    var cacheDir: String?

    @Option(help: "A model.json to take the CLIP configuration from (default: FC-CLIP ConvNeXt-L's).")
    var config: String?

    /// FC-CLIP's CLIP (open_clip convnext_large_d_320): the text tower is what matters here.
    static let realCLIP = try! JSONDecoder().decode(ModelConfig.CLIPConfig.self, from: Data("""
        {"embed_dim": 768, "logit_scale_max": 100.0,
         "vision": {"arch": "convnext", "depths": [3, 3, 27, 3], "dims": [192, 384, 768, 1536],
                    "kernel_size": 7, "mlp_ratio": 4, "ln_eps": 1e-6, "head_hidden_dim": 1536},
         "text": {"context_length": 77, "vocab_size": 49408, "width": 768, "heads": 12, "layers": 16,
                  "mlp_ratio": 4, "ln_eps": 1e-5}}
        """.utf8))

    func run() throws {
        compute.apply()
        let clip: ModelConfig.CLIPConfig
        let vocabulary: Vocabulary
        let tokenizer: CLIPTokenizer
        do {
            clip = try config.map { try ModelConfig.load(path: $0).clip } ?? Self.realCLIP
            vocabulary = try Vocabulary.resolve(vocab)
            tokenizer = try CLIPTokenizer(vocabularyPath: self.tokenizer)
        } catch {
            throw CLIError(String(describing: error))
        }
        var clock = ContinuousClock.now
        func lap() -> Double {
            let now = ContinuousClock.now
            let d = now - clock
            clock = now
            return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
        }
        let random = Weights(RandomTensorSource(seed: 2023))
        let encoder = try CLIPTextEncoder(random.scoped("backbone.clip_model"), config: clip)
        let void = try random.tensor("void_embedding.weight", [1, clip.embedDim])
        let t = clip.text
        print("text tower width \(t.width), \(t.layers) layers, \(t.heads) heads, embedding \(clip.embedDim); "
              + "OpenBLAS \(BLASRuntime.coreName), \(ComputeThreads.count) thread(s)")
        print(String(format: "built with seeded random weights in %.2f s", lap()))
        let cache = cacheDir.map { TextEmbeddingCache(directory: ($0 as NSString).expandingTildeInPath) }
        let builder = CachedTextClassifierBuilder(tokenizer: tokenizer, encoder: encoder, voidEmbedding: void, cache: cache)
        if cache != nil {
            _ = builder.modelDigest
            print(String(format: "weight digest %@ in %.3f s", String(builder.modelDigest.hex.prefix(16)), lap()))
        }
        for run in ["first build", "second build"] {
            _ = lap()
            let (classifier, report) = builder.classifier(for: vocabulary)
            let seconds = lap()
            precondition(classifier.embeddings.scalars.allSatisfy(\.isFinite), "non-finite classifier")
            print(String(format: "%@: %d classes, %d synonyms: %d found, %d computed (%d prompts), %d written; classifier ready in %.3f s",
                         run, vocabulary.classes.count, report.synonyms, report.found, report.computed, report.promptsEncoded,
                         report.stored, seconds))
        }
    }
}
