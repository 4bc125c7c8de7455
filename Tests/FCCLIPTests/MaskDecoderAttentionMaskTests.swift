import Testing
import FCCLIP
import Tensor
import GoldenFixtures

/// The attention-mask rule of the decoder on hand-made cases.
@Suite struct MaskDecoderAttentionMaskTests {
    @Test func sigmoidBelowHalfIsNotSignTest() {
        // Tiny negative logits have float32 sigmoid exactly 0.5, so they stay attendable.
        let m = Tensor(shape: [1, 6], values: [-1, -1e-3, -1e-6, -3e-8, 0, 2])
        #expect(MaskedAttentionMask.blocked(resizedLogits: m) == [true, true, true, false, false, false])
    }

    @Test func emptyRowsAreUnblocked() {
        var mask = [true, true, true,
                    true, false, true,
                    false, false, false]
        MaskedAttentionMask.unblockEmptyRows(&mask, columns: 3)
        #expect(mask == [false, false, false,
                         true, false, true,
                         false, false, false])
    }

    @Test func resizeThresholdAndEmptyRowFix() {
        // Two queries over a 2x2 map, resized to 1x1 (the average of the four logits for a
        // 2→1 bilinear downscale with align_corners=False reads the centre: all four, weight ¼).
        // Query 0: mean -0.25 → blocked everywhere → row unblocked by the fix.
        // Query 1: mean +0.5 → attendable.
        let logits = Tensor(shape: [2, 4], values: [-1, 0, 0, 0,
                                                    2, 0, 0, 0])
        let mask = MaskedAttentionMask.blocked(maskLogits: logits, sourceHeight: 2, sourceWidth: 2, height: 1, width: 1)
        #expect(mask == [false, false])
        // 2x2 → 1x2: row 0 of the output averages both input rows per column.
        let l2 = Tensor(shape: [1, 4], values: [-1, 1,
                                                -1, 1])
        #expect(MaskedAttentionMask.blocked(maskLogits: l2, sourceHeight: 2, sourceWidth: 2, height: 1, width: 2) == [true, false])
    }
}

/// The sparse evaluation of the official attention-mask logits against resize(full einsum).
@Suite struct MaskDecoderAttentionMaskSamplerTests {
    @Test(arguments: [(3, 4), (6, 8), (12, 16), (24, 32), (5, 7)])
    func samplerEqualsResizeOfFullEinsum(height: Int, width: Int) {
        var rng = SeededRandom(seed: 11)
        let features = rng.uniform([1, 24, 32, 16], scale: 1)
        let embedding = rng.uniform([9, 16], scale: 1)
        let full = Tensor.matmul(embedding, features.reshaped([24 * 32, 16]), transposeB: true)
        let want = full.reshaped([9, 24, 32, 1]).resizedBilinear(height: height, width: width).reshaped([9, height * width])
        let sampler = AttentionMaskSampler(maskFeatures: features, height: height, width: width)
        let got = sampler.resizedLogits(maskEmbedding: embedding)
        #expect(got.shape == want.shape)
        #expect(relativeL2(got, want) <= 1e-6)
        #expect(sampler.blocked(maskEmbedding: embedding)
                == MaskedAttentionMask.blocked(maskLogits: full, sourceHeight: 24, sourceWidth: 32, height: height, width: width))
    }
}
