import CLIP
import ModelIO
import Tensor

/// FC-CLIP's `MultiScaleMaskedTransformerDecoder` with the in-vocabulary classifier
/// (spec §6): learnable queries refined by `layers` blocks of masked cross-attention to one
/// pixel-decoder level (round robin, strides 32, 16, 8), self-attention and FFN, with a
/// prediction head after every block whose mask restricts the next cross-attention.
public struct MaskDecoder: Sendable {
    /// How the intermediate attention masks are computed.
    public enum AttentionMaskSource: Sendable {
        /// The official order: mask logits at 1/4 resolution, bilinearly resized to the level.
        /// Without a trace, intermediate heads evaluate the einsum only at the positions the
        /// resize reads (`AttentionMaskSampler`), which gives the same values.
        case resizedMaskLogits
        /// Spec §14: mask features resized once per level, then the mask einsum at the level's
        /// size. Equal to the official masks up to rounding (a threshold flip near 0 is
        /// possible); skips the full-resolution einsum of every intermediate head.
        case resizedMaskFeatures
    }

    let hiddenDim: Int
    let numQueries: Int
    let heads: Int
    let queryFeat: Tensor
    let queryEmbed: Tensor
    let levelEmbeddings: [Tensor]
    let inputProjections: [Linear?]
    let crossAttention: [DecoderCrossAttentionLayer]
    let selfAttention: [DecoderSelfAttentionLayer]
    let ffn: [DecoderFFNLayer]
    let head: PredictionHead
    public let attentionMaskSource: AttentionMaskSource

    /// The number of decoder layers (`DEC_LAYERS - 1`).
    public var layers: Int { crossAttention.count }

    /// `w` is scoped at `sem_seg_head.predictor`.
    public init(_ w: Weights, config: ModelConfig, attentionMasks: AttentionMaskSource = .resizedMaskLogits) throws {
        let d = config.transformerDecoder, h = d.hiddenDim
        let levels = config.pixelDecoder.transformerInFeatures.count
        let convDim = config.pixelDecoder.convDim
        hiddenDim = h
        numQueries = d.numQueries
        heads = d.heads
        queryFeat = try w.tensor("query_feat.weight", [d.numQueries, h])
        queryEmbed = try w.tensor("query_embed.weight", [d.numQueries, h])
        let levelEmbed = try w.tensor("level_embed.weight", [levels, h]).scalars
        levelEmbeddings = (0..<levels).map { Tensor(shape: [h], values: Array(levelEmbed[($0 * h)..<(($0 + 1) * h)])) }
        // input_proj is Identity when the pixel decoder's width already equals hidden_dim.
        inputProjections = try (0..<levels).map { l in
            guard convDim != h else { return nil }
            let s = w.scoped("input_proj.\(l)")
            let weight = try s.tensor("weight", [h, convDim, 1, 1]).reshaped([h, convDim])
            return Linear(weight: weight, bias: try s.tensor("bias", [h]))
        }
        crossAttention = try (0..<d.layers).map {
            try DecoderCrossAttentionLayer(w.scoped("transformer_cross_attention_layers.\($0)"), width: h, heads: d.heads)
        }
        selfAttention = try (0..<d.layers).map {
            try DecoderSelfAttentionLayer(w.scoped("transformer_self_attention_layers.\($0)"), width: h, heads: d.heads)
        }
        ffn = try (0..<d.layers).map {
            try DecoderFFNLayer(w.scoped("transformer_ffn_layers.\($0)"), width: h, ffnDim: d.ffnDim)
        }
        precondition(config.pixelDecoder.maskDim == h, "mask pooling needs mask_dim (\(config.pixelDecoder.maskDim)) = hidden_dim (\(h))")
        head = try PredictionHead(w, hidden: h, maskDim: config.pixelDecoder.maskDim, embedDim: config.clip.embedDim,
                                  maxLogitScale: Float(config.clip.logitScaleMax))
        attentionMaskSource = attentionMasks
    }

    /// `multiScale`: NHWC `[1, h_i, w_i, C]` for levels 0, 1, 2 (strides 32, 16, 8);
    /// `maskFeatures`: NHWC `[1, H/4, W/4, mask_dim]`. With a `trace`, every head's class
    /// branch is computed too and recorded under the fixture names (`decoder.head.{i}.*`,
    /// `decoder.aux.{i}.*`, `decoder.layer.{i}.output_QBC`, `decoder.pos.{i}`,
    /// `decoder.pred_logits`, `decoder.pred_masks`).
    public func callAsFunction(multiScale: [Tensor], maskFeatures: Tensor, classifier: TextClassifier,
                               trace: TensorTrace? = nil) -> MaskDecoderOutput {
        precondition(multiScale.count == levelEmbeddings.count, "\(multiScale.count) feature levels, the decoder has \(levelEmbeddings.count)")
        precondition(maskFeatures.rank == 4 && maskFeatures.shape[0] == 1 && maskFeatures.shape[3] == hiddenDim,
                     "mask features must be NHWC [1, H, W, \(hiddenDim)], got \(maskFeatures.shape)")
        let memory = multiScale.indices.map { memoryLevel($0, multiScale[$0]) }
        if let trace {
            for (i, m) in memory.enumerated() {
                trace.record("decoder.pos.\(i)", m.position.reshaped([1, m.height, m.width, hiddenDim]), layout: .nhwc)
            }
        }
        let (fh, fw) = (maskFeatures.shape[1], maskFeatures.shape[2])
        let features = maskFeatures.reshaped([fh * fw, hiddenDim])
        // Spec §14 shortcut: the mask features at each level's size, resized once.
        let levelFeatures: [Tensor] = attentionMaskSource == .resizedMaskFeatures
            ? memory.map { maskFeatures.resizedBilinear(height: $0.height, width: $0.width).reshaped([$0.height * $0.width, hiddenDim]) }
            : []
        // Official order without the full-resolution einsum for intermediate heads (untraced).
        let samplers: [AttentionMaskSampler] = attentionMaskSource == .resizedMaskLogits && trace == nil && layers > 0
            ? memory.map { AttentionMaskSampler(maskFeatures: maskFeatures, height: $0.height, width: $0.width) }
            : []

        var output = queryFeat
        var attentionMask: [Bool] = []
        var final: MaskDecoderOutput?
        for call in 0...layers {
            if call > 0 {
                let i = call - 1, level = memory[i % memory.count]
                let mask = MaskedAttentionMask.additive(attentionMask, rows: numQueries, columns: level.height * level.width)
                output = crossAttention[i](output, queryPos: queryEmbed, memoryWithPos: level.sourceWithPosition,
                                           memory: level.source, mask: mask)
                output = selfAttention[i](output, queryPos: queryEmbed)
                output = ffn[i](output)
                trace?.record("decoder.layer.\(i).output_QBC", output.reshaped([numQueries, 1, hiddenDim]))
            }
            let isLast = call == layers
            let dec = head.decoderNorm(output)
            let embedding = head.maskEmbed(dec)
            let needsFullMasks = isLast || trace != nil
            let maskLogits = needsFullMasks ? PredictionHead.maskLogits(maskEmbedding: embedding, features: features) : nil
            if let maskLogits, isLast || trace != nil {
                let branch = head.classBranch(decoderOutput: dec, maskLogits: maskLogits, features: features, classifier: classifier)
                let classes = branch.logits.shape[1]
                if let trace {
                    trace.record("decoder.head.\(call).maskpool", branch.pooled.reshaped([1, numQueries, hiddenDim]))
                    trace.record("decoder.head.\(call).maskpool_proj", branch.projected.reshaped([1, numQueries, hiddenDim]))
                    trace.record("decoder.head.\(call).class_embed", branch.embedding.reshaped([1, numQueries, branch.embedding.shape[1]]))
                    let prefix = isLast ? "decoder" : "decoder.aux.\(call)"
                    trace.record("\(prefix).pred_logits", branch.logits.reshaped([1, numQueries, classes]))
                    trace.record("\(prefix).pred_masks", maskLogits.reshaped([1, numQueries, fh, fw]))
                }
                if isLast {
                    final = MaskDecoderOutput(classLogits: branch.logits, maskLogits: maskLogits.reshaped([numQueries, fh, fw]),
                                              queryEmbeddings: dec)
                }
            }
            if !isLast {
                // The mask for the next layer, at that layer's level.
                let target = memory[call % memory.count]
                switch attentionMaskSource {
                case .resizedMaskLogits:
                    if let maskLogits {
                        attentionMask = MaskedAttentionMask.blocked(maskLogits: maskLogits, sourceHeight: fh, sourceWidth: fw,
                                                                    height: target.height, width: target.width)
                    } else {
                        attentionMask = samplers[call % memory.count].blocked(maskEmbedding: embedding)
                    }
                case .resizedMaskFeatures:
                    let small = PredictionHead.maskLogits(maskEmbedding: embedding, features: levelFeatures[call % memory.count])
                    attentionMask = MaskedAttentionMask.blocked(resizedLogits: small)
                    MaskedAttentionMask.unblockEmptyRows(&attentionMask, columns: target.height * target.width)
                }
            }
        }
        return final!
    }
}
