import ModelIO

/// What post-processing produces and with which thresholds (spec §8, §9).
public struct PostProcessingOptions: Sendable, Equatable {
    /// Produce `semantic_inference` (label map, optionally all class scores).
    public var semantic = true
    /// Produce `panoptic_inference`.
    public var panoptic = true
    /// Produce `instance_inference`.
    public var instances = true
    /// Panoptic: keep queries whose class probability exceeds this (FC-CLIP eval: 0.0).
    public var objectMaskThreshold: Double = 0.0
    /// Panoptic: drop a query whose visible area is below this fraction of its own mask (0.8).
    public var overlapThreshold: Double = 0.8
    /// Instance: top-k over queries × classes (`TEST.DETECTIONS_PER_IMAGE`, 100); clamped to Q·C.
    public var detectionsPerImage = 100
    /// Resize masks to the output size before inference (official: forced on whenever panoptic or
    /// instance output is on; off only in semantic-only configs, where the class scores are
    /// computed at the padded resolution and then cropped and resized).
    public var semSegPostprocessBeforeInference = true
    /// Keep the `[C, H, W]` semantic scores (`SemanticSegmentation.scores`), not only the label map.
    /// Always on when a `TensorTrace` is given.
    public var keepSemanticScores = false
    /// Working-set target of one band of full-resolution maps (the `Q` upsampled masks of a group
    /// of output rows). Peak memory of post-processing is about this plus the outputs.
    public var bandBudgetBytes = 64 << 20

    public init() {}

    /// The model's defaults (`model.json` `inference`).
    public init(_ config: ModelConfig.InferenceConfig) {
        objectMaskThreshold = config.objectMaskThreshold
        overlapThreshold = config.overlapThreshold
        detectionsPerImage = config.detectionsPerImage
        semSegPostprocessBeforeInference = config.semSegPostprocessBeforeInference
    }

    /// The official `sem_seg_postprocess_before_inference = cfg or panoptic_on or instance_on`.
    public var resizesMasksFirst: Bool { semSegPostprocessBeforeInference || panoptic || instances }
}
