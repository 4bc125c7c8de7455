import CLIP
import FCCLIP
import Foundation
import GoldenFixtures
import ModelIO
import Tensor
import Testing

@Suite struct PixelDecoderParityTests {
    /// Feeds the fixture's backbone outputs through the decoder and compares every recorded
    /// intermediate with the official code's.
    @Test(arguments: ["tiny-a", "tiny-b"])
    func matchesOfficialPixelDecoder(fixture: String) throws {
        let f = try GoldenFixture(fixture)
        let config = f.bundle.config
        let decoder = try PixelDecoder(f.bundle.weights.scoped("sem_seg_head.pixel_decoder"), config: config)
        var res: [Tensor] = []
        for name in ["res2", "res3", "res4", "res5"] { res.append(try f.referenceNHWC("backbone.\(name)")) }
        let features = BackboneFeatures(stem: try f.referenceNHWC("backbone.stem"), res: res)
        let trace = TensorTrace()
        let output = decoder(features, trace: trace)

        let levels = config.pixelDecoder.transformerInFeatures.count
        var names: [String] = []
        for i in 0..<levels {
            names += ["pixel_decoder.input_proj.\(i)", "pixel_decoder.pos.\(i)", "pixel_decoder.multi_scale_features.\(i)"]
        }
        for j in 0..<config.pixelDecoder.encoderLayers { names.append("pixel_decoder.encoder_layer.\(j)") }
        names += ["pixel_decoder.encoder_memory", "pixel_decoder.fpn.0.lateral", "pixel_decoder.fpn.0.output",
                  "pixel_decoder.mask_features", "pixel_decoder.transformer_encoder_features"]
        for name in names {
            let got = try #require(trace.tensor(name), "\(name) was not recorded")
            let want = try f.reference(name)
            #expect(got.shape == want.shape, "\(name): \(got.shape) vs \(want.shape)")
            guard got.shape == want.shape else { continue }
            #expect(parity(fixture, name, got, want) <= 1e-4, "\(name)")
        }

        // The returned tensors are the traced ones, in NHWC.
        #expect(output.multiScale.count == levels)
        for (i, m) in output.multiScale.enumerated() {
            #expect(relativeL2(m, try f.referenceNHWC("pixel_decoder.multi_scale_features.\(i)")) <= 1e-4)
        }
        #expect(relativeL2(output.maskFeatures, try f.referenceNHWC("pixel_decoder.mask_features")) <= 1e-4)

        // The token geometry agrees with the official spatial_shapes / level_start_index.
        let shapes = try f.integers("pixel_decoder.spatial_shapes").map(Int.init)
        let starts = try f.integers("pixel_decoder.level_start_index").map(Int.init)
        let spatial = DeformableLevels(shapes: output.multiScale.map { ($0.shape[1], $0.shape[2]) })
        #expect(spatial.shapes.flatMap { [$0.height, $0.width] } == shapes)
        #expect(spatial.starts == starts)
    }
}
