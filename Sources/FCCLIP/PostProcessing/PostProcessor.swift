import Tensor

/// FC-CLIP post-processing of one image (spec §7.3 + §8): mask upsampling, then semantic,
/// panoptic and instance inference, band by band over the output rows.
///
/// Memory: the `[Q, H0, W0]` stack of upsampled masks is never materialised. Each band of
/// output rows is upsampled from the low-resolution logits (only the padded rows under it), run
/// through sigmoid once and consumed by all three inferences; a band is about
/// `options.bandBudgetBytes` (64 MiB: 33 rows of 1920 px at Q = 250) plus the semantic GEMM's
/// `[C, band]` scores. What persists is the output: an Int32 panoptic map, an Int32 label map
/// and a Float max-score map (12 bytes per pixel: 25 MB at 1080p), one bit per pixel per
/// selected instance query, and `[C, H0, W0]` floats only when `keepSemanticScores` is set.
/// With a `TensorTrace`, the full `post.mask_pred_padded`, `post.mask_pred` and `output.sem_seg`
/// are also built (for parity checks; not for large images).
public enum PostProcessor {
    /// - Parameters:
    ///   - maskCls: `ln(P + 1e-8)` from the ensemble, `[Q, C + 1]` (void last).
    ///   - maskLogits: decoder `pred_masks`, `[Q, Hp/4, Wp/4]` (or with a leading batch of 1).
    ///   - isThing: per class (metadata `thing_dataset_id_to_contiguous_id`).
    public static func run(maskCls: Tensor, maskLogits: Tensor, geometry: SegmentationGeometry, isThing: [Bool],
                           options: PostProcessingOptions = PostProcessingOptions(), trace: TensorTrace? = nil) -> Segmentation {
        let cls = GeometricEnsemble.matrix(maskCls)
        let (q, c1) = (cls.shape[0], cls.shape[1]), c = c1 - 1
        precondition(c >= 1 && isThing.count == c, "\(isThing.count) thing flags for \(c) classes")
        let up = MaskUpsampler(maskLogits: maskLogits, geometry: geometry)
        precondition(up.queries == q, "\(up.queries) masks for \(q) class rows")
        let (h0, w0) = (geometry.outputHeight, geometry.outputWidth)
        let pixels = h0 * w0
        trace?.record("post.mask_cls", cls)
        if let trace {
            let full = up.paddedRows(0..<geometry.paddedHeight, columns: geometry.paddedWidth)
            trace.record("post.mask_pred_padded", full)
        }
        let probs = cls.softmax()

        let semantic = options.semantic
            ? SemanticAccumulator(probs: probs, pixels: pixels, keepScores: options.keepSemanticScores || trace != nil) : nil
        let panoptic = options.panoptic
            ? PanopticAccumulator(probs: probs, isThing: isThing, objectMaskThreshold: options.objectMaskThreshold,
                                  overlapThreshold: options.overlapThreshold, pixels: pixels) : nil
        let instances = options.instances
            ? InstanceAccumulator(probs: probs, isThing: isThing, thingsOnly: options.panoptic,
                                  detections: options.detectionsPerImage, height: h0, width: w0) : nil

        if options.resizesMasksFirst {
            var fullMasks: Tensor? = trace != nil ? Tensor(shape: [q, h0, w0]) : nil
            let band = up.bandHeight(planes: q, budgetBytes: options.bandBudgetBytes)
            var y0 = 0
            while y0 < h0 {
                let rows = y0..<min(h0, y0 + band)
                let offset = y0 * w0
                var masks = up.outputRows(rows)
                if fullMasks != nil { copyRows(masks, into: &fullMasks!, offset: offset) }
                instances?.recordMasks(masks, offset: offset)
                masks.applySigmoid()
                if let semantic { semantic.store(semantic.classScores(masks), offset: offset) }
                panoptic?.consume(masks, offset: offset)
                instances?.accumulateScores(masks, offset: offset)
                y0 = rows.upperBound
            }
            if let fullMasks { trace?.record("post.mask_pred", fullMasks) }
        } else if let semantic {
            // Semantic-only order: scores at padded resolution (only the cropped window is needed),
            // then `sem_seg_postprocess` crops and resizes the class scores.
            let band = up.bandHeight(planes: max(q, c), budgetBytes: options.bandBudgetBytes)
            var y0 = 0
            while y0 < h0 {
                let rows = y0..<min(h0, y0 + band)
                let src = up.croppedRows(for: rows)
                var masks = up.paddedRows(src, columns: geometry.resizedWidth)
                masks.applySigmoid()
                let scores = semantic.classScores(masks).reshaped([c, src.count, geometry.resizedWidth])
                semantic.store(up.resizeCropped(scores, sourceRows: src, to: rows), offset: y0 * w0)
                y0 = rows.upperBound
            }
        }

        var result = Segmentation(height: h0, width: w0, classCount: c)
        if let semantic {
            result.semantic = semantic.result(height: h0, width: w0)
            if let trace, let s = result.semantic?.scores { trace.record("output.sem_seg", s) }
        }
        if let panoptic {
            let p = panoptic.finish()
            result.panoptic = p
            trace?.record("output.panoptic_seg", Tensor(shape: [h0, w0], values: p.ids.map { Float($0) }))
        }
        if let instances { result.instances = instances.finish() }
        return result
    }

    /// Copies a band `[Q, rows, W0]` into `[Q, H0, W0]` at pixel `offset` of every plane.
    static func copyRows(_ band: Tensor, into full: inout Tensor, offset: Int) {
        let q = full.shape[0], plane = full.count / q, n = band.count / q
        band.withUnsafeBufferPointer { s in
            full.withUnsafeMutableBufferPointer { d in
                for i in 0..<q { (d.baseAddress! + i * plane + offset).update(from: s.baseAddress! + i * n, count: n) }
            }
        }
    }
}
