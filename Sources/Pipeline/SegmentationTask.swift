import FCCLIP

/// What a stream's records are made of, and therefore which post-processing runs. Producing
/// only what is written matters on video: instance masks and per-class semantic scores at
/// source size cost more than the whole tiny model.
public enum SegmentationTask: String, Sendable, Equatable, CaseIterable {
    /// Panoptic segments (records and panoptic PNGs).
    case panoptic
    /// One segment per class present (records and semantic PNGs).
    case semantic
    /// Instances in score order (records only).
    case instance

    /// `base` with exactly the outputs this task needs; `semanticMaps` adds the semantic label
    /// map (semantic PNGs) to the panoptic and instance tasks.
    public func options(_ base: PostProcessingOptions, semanticMaps: Bool = false) -> PostProcessingOptions {
        var options = base
        options.panoptic = self == .panoptic
        options.instances = self == .instance
        options.semantic = self == .semantic || semanticMaps
        return options
    }
}
