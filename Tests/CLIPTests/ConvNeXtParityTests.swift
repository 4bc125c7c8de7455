import Testing
import CLIP
import ModelIO
import Tensor
import GoldenFixtures

/// The ConvNeXt trunk and CLIP visual head against the official outputs.
@Suite struct ConvNeXtParityTests {
    @Test(arguments: ["tiny-a", "tiny-b"])
    func trunkMatchesOfficialFeatures(fixture: String) throws {
        let f = try GoldenFixture(fixture)
        let config = f.bundle.config.clip
        let trunk = try ConvNeXtTrunk(f.bundle.weights.scoped("backbone.clip_model.visual.trunk"), config: config.vision)
        let image = try f.referenceNHWC("input.image_normalized_padded")
        let features = trunk(image)
        #expect(parity(fixture, "backbone.stem", features.stem, try f.referenceNHWC("backbone.stem")) <= 1e-4)
        for i in 0..<4 {
            let name = "backbone.res\(i + 2)"
            #expect(parity(fixture, name, features.res[i], try f.referenceNHWC(name)) <= 1e-4)
        }
        #expect(parity(fixture, "backbone.clip_vis_dense", features.clipVisDense, try f.referenceNHWC("backbone.clip_vis_dense")) <= 1e-4)
    }

    @Test(arguments: ["tiny-a", "tiny-b"])
    func visualHeadMatchesOfficialPooledEmbeddings(fixture: String) throws {
        let f = try GoldenFixture(fixture)
        let head = try CLIPVisualHead(f.bundle.weights.scoped("backbone.clip_model.visual"), config: f.bundle.config.clip)
        let pooled = try f.reference("clip_pool.pooled")          // [1, Q, C]
        let q = pooled.shape[1]
        let embed = head(pooled.reshaped([q, pooled.shape[2]]))
        let want = try f.reference("clip_pool.embed")              // [1, Q, E]
        #expect(parity(fixture, "clip_pool.embed", embed.reshaped(want.shape), want) <= 1e-4)
    }

    @Test func realConvNeXtLargeBuildsFromItsConfig() throws {
        // The same code builds the real ConvNeXt-L from seeded random weights: check the
        // output shapes at a small input (64x96 → strides 4…32).
        let config = try ModelConfig.load(path: GoldenFixture.root.appendingPathComponent("spec/fcclip_convnext_large.model.json").path)
        let trunk = try ConvNeXtTrunk(Weights(RandomTensorSource(seed: 1), prefix: "backbone.clip_model.visual.trunk"),
                                      config: config.clip.vision)
        var rng = SeededRandom(seed: 3)
        let features = trunk(rng.uniform([1, 64, 96, 3]))
        #expect(features.res.map(\.shape) == [[1, 16, 24, 192], [1, 8, 12, 384], [1, 4, 6, 768], [1, 2, 3, 1536]])
        let finite = features.res[3].scalars.allSatisfy { $0.isFinite }
        #expect(finite)
    }
}
