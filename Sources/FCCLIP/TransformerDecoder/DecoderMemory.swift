import Tensor

/// One level of the decoder's memory (spec §6.2), flattened to tokens in NHWC order.
struct DecoderMemoryLevel {
    let height: Int
    let width: Int
    /// `[h·w, C]`: `input_proj(x) + level_embed[i]` (the cross-attention value).
    let source: Tensor
    /// `[h·w, C]`: source + sine position (the cross-attention key).
    let sourceWithPosition: Tensor
    /// `[h·w, C]`: the sine position encoding alone (traced as `decoder.pos.{i}`).
    let position: Tensor
}

extension MaskDecoder {
    /// Builds level `i` from the pixel decoder's NHWC `[1, h, w, C_in]` feature map.
    func memoryLevel(_ i: Int, _ x: Tensor) -> DecoderMemoryLevel {
        precondition(x.rank == 4 && x.shape[0] == 1, "multi-scale feature \(i) must be NHWC [1, h, w, C], got \(x.shape)")
        let (h, w, c) = (x.shape[1], x.shape[2], x.shape[3])
        var source = x.reshaped([h * w, c])
        if let proj = inputProjections[i] { source = proj(source) }
        precondition(source.shape[1] == hiddenDim, "multi-scale feature \(i) has \(c) channels, the decoder expects \(hiddenDim)")
        source.addChannels(levelEmbeddings[i])
        let position = SinePositionEncoding.encode(height: h, width: w, channels: hiddenDim).reshaped([h * w, hiddenDim])
        return DecoderMemoryLevel(height: h, width: w, source: source, sourceWithPosition: source + position, position: position)
    }
}
