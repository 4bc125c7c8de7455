import FCCLIP
import Foundation
import GoldenFixtures
import ModelIO
import Testing

/// `WorkingMemory`'s estimate against the tensors the official code actually held: it must
/// cover what is alive at once, grow with the input area and never overflow.
@Suite struct WorkingMemoryTests {
    /// The tensors of one forward pass that are all alive when the decoder runs (the trunk's four
    /// features, the pixel decoder's memory, FPN and mask features, the decoder's masks), taken
    /// from the official run's recorded shapes: the estimate for the fixture's padded input is at
    /// least their sum. (The estimate also counts buffers the fixture does not record, such as
    /// the encoder's FFN hidden layer; measured by hand, the daemon's peak RSS grew by 201 bytes
    /// per input pixel on tiny-a where the estimate says 262.)
    @Test(arguments: ["tiny-a", "tiny-b"])
    func coversTheTensorsTheOfficialRunHeld(fixture: String) throws {
        let f = try GoldenFixture(fixture)
        let padded = try f.io.entry("input.image_normalized_padded").shape
        let pixels = padded[2] * padded[3]
        let alive = ["backbone.res2", "backbone.res3", "backbone.res4", "backbone.res5",
                     "pixel_decoder.encoder_memory", "pixel_decoder.fpn.0.lateral", "pixel_decoder.fpn.0.output",
                     "pixel_decoder.mask_features", "decoder.pred_masks"]
        let bytes = try alive.reduce(0) { $0 + 4 * (try f.io.entry($1).shape.reduce(1, *)) }
        let estimate = WorkingMemory.estimatedBytes(config: f.bundle.config, pixels: pixels)
        #expect(estimate >= bytes, "\(fixture): estimate \(estimate) B for \(pixels) px, official tensors \(bytes) B")
        #expect(WorkingMemory.estimatedBytes(config: f.bundle.config, pixels: pixels * 4) > estimate)
    }

    @Test func growsWithTheAreaPadsToTheDivisibilityAndSaturates() throws {
        let config = try GoldenFixture("tiny-a").bundle.config
        let small = WorkingMemory.estimatedBytes(config: config, pixels: 96 * 128)
        let large = WorkingMemory.estimatedBytes(config: config, pixels: 96 * 128 * 100)
        #expect(abs(Double(large) / Double(small) - 100) < 0.01, "linear in the pixel count: \(small), \(large)")
        // 70 x 120 pads to 96 x 128 (size divisibility 32).
        #expect(WorkingMemory.estimatedBytes(config: config, shortSide: 70, maxSide: 120) == small)
        #expect(WorkingMemory.estimatedBytes(config: config, shortSide: 1 << 40, maxSide: 1 << 40) == Int.max)
        #expect(WorkingMemory.estimatedBytes(config: config, pixels: Int.max) == Int.max)
        // Outputs: 12 bytes a pixel, plus the class scores when kept.
        let withOutputs = WorkingMemory.estimatedBytes(config: config, pixels: 96 * 128, outputPixels: 1000)
        #expect(withOutputs - small == 12_000)
        let withScores = WorkingMemory.estimatedBytes(config: config, pixels: 96 * 128, outputPixels: 1000, classes: 8, semanticScores: true)
        #expect(withScores - small == 12_000 + 32_000)
    }
}
