import CLIP
import Foundation
import ModelIO
import Tensor
import Testing

/// The digests that key the text classifier cache.
@Suite struct TextTowerDigestTests {
    static func digest(_ build: (inout ContentHasher) -> Void) -> ContentDigest {
        var hasher = ContentHasher()
        build(&hasher)
        return hasher.finalize()
    }

    @Test func bytesDigestTheSameHoweverTheyAreSplit() {
        let bytes = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }
        let whole = Self.digest { h in bytes.withUnsafeBytes { h.combine(bytes: $0) } }
        for cut in [1, 31, 32, 33, 500, 999] {
            let split = Self.digest { h in
                bytes.withUnsafeBytes { raw in
                    h.combine(bytes: UnsafeRawBufferPointer(rebasing: raw[..<cut]))
                    h.combine(bytes: UnsafeRawBufferPointer(rebasing: raw[cut...]))
                }
            }
            #expect(split == whole, "cut at \(cut)")
        }
        // Every single-bit change and every length changes the digest.
        var seen: Set<ContentDigest> = [whole]
        for i in stride(from: 0, to: 1000, by: 37) {
            var changed = bytes
            changed[i] ^= 0x01
            seen.insert(Self.digest { h in changed.withUnsafeBytes { h.combine(bytes: $0) } })
        }
        for n in 0..<64 { seen.insert(Self.digest { h in bytes.withUnsafeBytes { h.combine(bytes: UnsafeRawBufferPointer(rebasing: $0[..<n])) } }) }
        #expect(seen.count == 1 + 28 + 64)
        // Strings are framed.
        #expect(Self.digest { $0.combine("ab"); $0.combine("c") } != Self.digest { $0.combine("a"); $0.combine("bc") })
        #expect(ContentDigest(bytes: whole.bytes) == whole)
        #expect(whole.hex.count == 32)
    }

    /// Weights of a real-shaped but tiny text tower, optionally with one value changed.
    struct Perturbed: TensorSource {
        let base: RandomTensorSource
        let key: String?
        func tensor(_ key: String, shape: [Int]) throws -> Tensor {
            var t = try base.tensor(key, shape: shape)
            if key == self.key { t.withUnsafeMutableBufferPointer { $0[$0.count / 2] += 1e-3 } }
            return t
        }
        func contains(_ key: String) -> Bool { true }
    }

    static let config = try! JSONDecoder().decode(ModelConfig.CLIPConfig.self, from: Data("""
        {"embed_dim": 8, "logit_scale_max": 100.0,
         "vision": {"arch": "convnext", "depths": [1, 1, 1, 1], "dims": [8, 8, 8, 8],
                    "kernel_size": 7, "mlp_ratio": 4, "ln_eps": 1e-6, "head_hidden_dim": 8},
         "text": {"context_length": 77, "vocab_size": 49408, "width": 8, "heads": 2, "layers": 2,
                  "mlp_ratio": 4, "ln_eps": 1e-5}}
        """.utf8))

    static func encoder(seed: UInt64 = 1, perturbing key: String? = nil, config: ModelConfig.CLIPConfig = config) throws -> CLIPTextEncoder {
        try CLIPTextEncoder(Weights(Perturbed(base: RandomTensorSource(seed: seed), key: key), prefix: "clip"), config: config)
    }

    @Test func theWeightDigestChangesWithAnyTensorAndWithTheSettings() throws {
        let reference = try Self.encoder().weightDigest()
        #expect(try Self.encoder().weightDigest() == reference)
        #expect(try Self.encoder(seed: 2).weightDigest() != reference)
        for key in ["token_embedding.weight", "transformer.resblocks.1.attn.in_proj_weight", "transformer.resblocks.0.attn.out_proj.bias",
                    "transformer.resblocks.1.mlp.c_proj.weight", "ln_final.bias", "text_projection"] {
            #expect(try Self.encoder(perturbing: "clip." + key).weightDigest() != reference, "\(key)")
        }
        var otherEps = Self.config
        otherEps.text.lnEps = 1e-6
        #expect(try Self.encoder(config: otherEps).weightDigest() != reference)
        var otherHeads = Self.config
        otherHeads.text.heads = 4
        #expect(try Self.encoder(config: otherHeads).weightDigest() != reference)
    }

    @Test func keysDependOnTheTemplatesAndTheSynonym() throws {
        let model = try TextCacheFixture.model()
        let builder = CachedTextClassifierBuilder(model: model, cache: nil)
        let key = builder.key(synonym: "dog")
        #expect(builder.key(synonym: "dog") == key)
        #expect(builder.key(synonym: "dogs") != key)
        #expect(builder.key(synonym: "dog", templates: ["a photo of a {}."]) != key)
        #expect(builder.key(synonym: "dog", templates: PromptTemplates.vild.reversed()) != key)
        let other = CachedTextClassifierBuilder(tokenizer: model.tokenizer, encoder: try Self.encoder(), voidEmbedding: model.voidEmbedding, cache: nil)
        #expect(other.key(synonym: "dog") != key)
    }
}
