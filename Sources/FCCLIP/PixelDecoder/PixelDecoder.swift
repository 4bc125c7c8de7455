import CLIP
import ModelIO
import Tensor

/// FC-CLIP's `MSDeformAttnPixelDecoder` (spec §5), on channels-last maps of one image:
///
/// 1. each transformer feature (coarse → fine: res5, res4, res3 by default) is projected by
///    `input_proj.l` (1x1 conv + GroupNorm);
/// 2. the levels are flattened into one token sequence and run through the deformable
///    encoder (`transformer.encoder.layers.*`), with sine position encodings plus
///    `transformer.level_embed[l]` as positions and token centres as reference points;
/// 3. the memory is split back into maps `out[0…L-1]`; every finer backbone feature down to
///    `common_stride` adds an FPN level (`adapter_k`, `layer_k`), coarsest first;
/// 4. `mask_features` (1x1 conv with bias) of the last (finest) output gives the per-pixel
///    embeddings; the first L outputs are the multi-scale features.
public struct PixelDecoder: Sendable {
    public let convDim: Int
    public let maskDim: Int
    /// Backbone indices (into res2…res5) of the transformer levels, coarse → fine.
    let levelFeatures: [Int]
    let inputProj: [PixelDecoderConvNorm]
    /// `[levels, conv_dim]`.
    let levelEmbed: Tensor
    let layers: [DeformableEncoderLayer]
    /// FPN levels in processing order (coarse → fine).
    let fpn: [PixelDecoderFPNLevel]
    let maskFeatures: Conv2dWeights

    /// Loads the decoder from `w`, scoped at `sem_seg_head.pixel_decoder`; every shape is
    /// derived from `config` as `WeightSchema` does.
    public init(_ w: Weights, config: ModelConfig) throws {
        let p = config.pixelDecoder
        convDim = p.convDim
        maskDim = p.maskDim
        let groups = p.gnGroups, eps = Float(p.gnEps)
        let features = config.backboneFeatures
        // Transformer levels, low resolution first (level 0 = res5 by default).
        let levels = features.enumerated().filter { p.transformerInFeatures.contains($0.element.name) }
            .sorted { $0.element.stride > $1.element.stride }
        levelFeatures = levels.map(\.offset)
        var projections: [PixelDecoderConvNorm] = []
        for (l, f) in levels.enumerated() {
            let s = w.scoped("input_proj.\(l)")
            let conv = Conv2dWeights(weight: try s.tensor("0.weight", [p.convDim, f.element.channels, 1, 1]),
                                     bias: try s.tensor("0.bias", [p.convDim]))
            projections.append(PixelDecoderConvNorm(conv: conv, normWeight: try s.tensor("1.weight", [p.convDim]),
                                                    normBias: try s.tensor("1.bias", [p.convDim]),
                                                    groups: groups, eps: eps, relu: false))
        }
        inputProj = projections
        levelEmbed = try w.tensor("transformer.level_embed", [levels.count, p.convDim])
        var encoder: [DeformableEncoderLayer] = []
        for i in 0..<p.encoderLayers {
            encoder.append(try DeformableEncoderLayer(w.scoped("transformer.encoder.layers.\(i)"), dModel: p.convDim,
                                                      ffnDim: p.encoderFFNDim, heads: p.encoderHeads,
                                                      levels: levels.count, points: p.encoderPoints))
        }
        layers = encoder
        // FPN levels: backbone features from common_stride up to (excluding) the finest
        // transformer level, named adapter_1/layer_1 for the finest; run coarse → fine.
        let finest = levels.map(\.element.stride).min() ?? p.commonStride
        var fpnLevels: [PixelDecoderFPNLevel] = []
        let fpnFeatures = features.enumerated().filter { $0.element.stride >= p.commonStride && $0.element.stride < finest }
        for (k, f) in fpnFeatures.enumerated() {
            let lateral = PixelDecoderConvNorm(
                conv: Conv2dWeights(weight: try w.tensor("adapter_\(k + 1).weight", [p.convDim, f.element.channels, 1, 1]), bias: nil),
                normWeight: try w.tensor("adapter_\(k + 1).norm.weight", [p.convDim]),
                normBias: try w.tensor("adapter_\(k + 1).norm.bias", [p.convDim]), groups: groups, eps: eps, relu: false)
            let output = PixelDecoderConvNorm(
                conv: Conv2dWeights(weight: try w.tensor("layer_\(k + 1).weight", [p.convDim, p.convDim, 3, 3]), bias: nil, padding: 1),
                normWeight: try w.tensor("layer_\(k + 1).norm.weight", [p.convDim]),
                normBias: try w.tensor("layer_\(k + 1).norm.bias", [p.convDim]), groups: groups, eps: eps, relu: true)
            fpnLevels.append(PixelDecoderFPNLevel(featureIndex: f.offset, lateral: lateral, output: output))
        }
        fpn = fpnLevels.reversed()
        maskFeatures = Conv2dWeights(weight: try w.tensor("mask_features.weight", [p.maskDim, p.convDim, 1, 1]),
                                     bias: try w.tensor("mask_features.bias", [p.maskDim]))
    }

    /// Runs the decoder on the backbone's res2…res5.
    public func callAsFunction(_ features: BackboneFeatures, trace: TensorTrace? = nil) -> PixelDecoderOutput {
        self(res: features.res, trace: trace)
    }

    /// Runs the decoder on NHWC maps `res` = [res2, res3, res4, res5] of one image.
    public func callAsFunction(res: [Tensor], trace: TensorTrace? = nil) -> PixelDecoderOutput {
        precondition(res.allSatisfy { $0.rank == 4 && $0.shape[0] == 1 }, "PixelDecoder runs on one image of NHWC maps")
        precondition(levelFeatures.allSatisfy { $0 < res.count } && fpn.allSatisfy { $0.featureIndex < res.count },
                     "PixelDecoder needs res2…res5, got \(res.count) maps")
        let c = convDim

        // 1. Input projections.
        var projected: [Tensor] = []
        for (l, index) in levelFeatures.enumerated() {
            let x = inputProj[l](res[index])
            trace?.record("pixel_decoder.input_proj.\(l)", x, layout: .nhwc)
            projected.append(x)
        }
        let spatial = DeformableLevels(shapes: projected.map { ($0.shape[1], $0.shape[2]) })

        // 2. Positions (sine encoding + level embedding), reference points, encoder.
        let positions = levelPositions(spatial, trace: trace)
        let reference = spatial.referencePoints()
        var src = spatial.flatten(projected)
        for (j, layer) in layers.enumerated() {
            src = layer(src, pos: positions, reference: reference, spatial: spatial)
            trace?.record("pixel_decoder.encoder_layer.\(j)", src.reshaped([1, spatial.tokens, c]))
        }
        trace?.record("pixel_decoder.encoder_memory", src.reshaped([1, spatial.tokens, c]))

        // 3. Back to maps, then the FPN levels, coarse → fine.
        var out = spatial.split(src)
        for (k, level) in fpn.enumerated() {
            let (lateral, y) = level(res[level.featureIndex], previous: out[out.count - 1])
            trace?.record("pixel_decoder.fpn.\(k).lateral", lateral, layout: .nhwc)
            trace?.record("pixel_decoder.fpn.\(k).output", y, layout: .nhwc)
            out.append(y)
        }

        // 4. Mask features and multi-scale features.
        let mask = out[out.count - 1].conv2d(maskFeatures)
        trace?.record("pixel_decoder.mask_features", mask, layout: .nhwc)
        let multiScale = Array(out.prefix(levelFeatures.count))
        for (i, m) in multiScale.enumerated() {
            trace?.record("pixel_decoder.multi_scale_features.\(i)", m, layout: .nhwc)
        }
        trace?.record("pixel_decoder.transformer_encoder_features", out[0], layout: .nhwc)
        return PixelDecoderOutput(multiScale: multiScale, maskFeatures: mask)
    }

    /// `pos_l + level_embed[l]` for every token, `[tokens, conv_dim]`; records `pos.{l}`.
    private func levelPositions(_ spatial: DeformableLevels, trace: TensorTrace?) -> Tensor {
        let c = convDim
        var maps: [Tensor] = []
        for (l, s) in spatial.shapes.enumerated() {
            var pos = SinePositionEncoding.encode(height: s.height, width: s.width, channels: c).reshaped([1, s.height, s.width, c])
            trace?.record("pixel_decoder.pos.\(l)", pos, layout: .nhwc)
            let embed = Tensor(shape: [c]) { e in
                levelEmbed.withUnsafeBufferPointer { src in
                    e.baseAddress!.update(from: src.baseAddress! + l * c, count: c)
                }
            }
            pos.addChannels(embed)
            maps.append(pos)
        }
        return spatial.flatten(maps)
    }
}
