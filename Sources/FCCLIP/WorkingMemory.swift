import ModelIO

/// An upper estimate of the memory one FC-CLIP forward pass allocates for its activations, so
/// that a caller can refuse an input size that cannot fit before any frame is run (an
/// allocation that fails ends the whole process, not just the request).
///
/// It adds up, in float32, the largest tensors each stage holds at once for a padded input of
/// `pixels` = H x W (N4 = H W / 16 positions at stride 4, Nt = N4 (1/4 + 1/16 + 1/64) encoder
/// tokens at strides 8 to 32), as if all stages were alive together (they are not, so the sum is
/// an upper bound):
/// - trunk: a stage-1 block's input, depthwise output, LayerNorm output and MLP hidden
///   ((3 + mlp_ratio) C0 N4), plus the four feature maps the pixel decoder reads;
/// - pixel decoder: per encoder token the query, value, output and two FFN-sized buffers, the
///   sampling offsets and attention weights; at stride 4 the FPN's lateral, output and mask features;
/// - transformer decoder: the predicted masks and the attention mask at stride 4 and the
///   attention masks of the encoder levels, for every query;
/// - outputs at `outputPixels` (the source frame): the panoptic, label and score maps
///   (12 bytes a pixel), plus the class scores when semantic maps are kept.
/// The model's weights are not included (they are memory-mapped from the bundle).
public enum WorkingMemory {
    /// Estimated bytes for a padded model input of `pixels` and outputs of `outputPixels` with
    /// `classes` classes. Saturates at `Int.max` instead of overflowing.
    public static func estimatedBytes(config: ModelConfig, pixels: Int, outputPixels: Int = 0,
                                      classes: Int = 0, semanticScores: Bool = false) -> Int {
        let v = config.clip.vision, p = config.pixelDecoder, d = config.transformerDecoder
        let n4 = Double(pixels) / 16
        let nt = n4 * (1.0 / 4 + 1.0 / 16 + 1.0 / 64)
        let dims = v.dims.map(Double.init) + [Double](repeating: 0, count: max(0, 4 - v.dims.count))
        let trunk = (3 + Double(v.mlpRatio)) * dims[0] * n4
            + n4 * (dims[0] + dims[1] / 4 + dims[2] / 16 + dims[3] / 64)
        let levels = Double(p.transformerInFeatures.count)
        let samplingPoints = Double(p.encoderHeads) * levels * Double(p.encoderPoints)
        let encoder = nt * (4 * Double(p.convDim) + 2 * Double(p.encoderFFNDim) + 3 * samplingPoints)
        let fpn = n4 * (3 * Double(p.convDim) + Double(p.maskDim))
        let decoder = Double(d.numQueries) * (2 * n4 + nt)
        var outputs = 12 * Double(outputPixels)
        if semanticScores { outputs += 4 * Double(classes) * Double(outputPixels) }
        let bytes = 4 * (trunk + encoder + fpn + decoder) + outputs
        return bytes.isFinite && bytes < Double(Int.max) ? Int(bytes) : Int.max
    }

    /// The estimate for the largest input an `ImagePreprocessor` with this short side and long
    /// side cap produces: `shortSide x maxSide`, each rounded up to the size divisibility.
    public static func estimatedBytes(config: ModelConfig, shortSide: Int, maxSide: Int) -> Int {
        let divisor = max(config.input.sizeDivisibility, 1)
        func padded(_ side: Int) -> Int { (side + divisor - 1) / divisor * divisor }
        let (pixels, overflow) = padded(shortSide).multipliedReportingOverflow(by: padded(maxSide))
        return overflow ? Int.max : estimatedBytes(config: config, pixels: pixels)
    }
}
