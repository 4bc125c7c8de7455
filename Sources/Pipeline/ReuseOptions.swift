/// Change gating (`PipelineOptions.reuse`): a frame that barely differs from the last frame the
/// model ran on reuses that frame's segmentation instead of running the model.
public struct ReuseOptions: Sendable, Equatable {
    public enum Mode: String, Sendable, CaseIterable {
        /// Every processed frame runs the model (records have no `reuse` key).
        case off
        /// Frames below `threshold` are carried (`"keyframe": false, "reuse": "carried"`);
        /// the others run the model (`"reuse": "full"`).
        case gate
    }

    public var mode: Mode
    /// Mean absolute luma difference (0…255) of 32×18 thumbnails (area means of every pixel,
    /// the scene-cut detector's), against the last full frame, below which a frame is carried.
    public var threshold: Double
    /// A full frame at least this often, in seconds of video time since the last full frame…
    public var maxIntervalSeconds: Double
    /// …and in processed frames since it (0: no frame bound).
    public var maxIntervalFrames: Int

    public static let defaultThreshold = 0.6
    public static let defaultMaxIntervalSeconds = 2.0

    public init(mode: Mode = .off, threshold: Double = ReuseOptions.defaultThreshold,
                maxIntervalSeconds: Double = ReuseOptions.defaultMaxIntervalSeconds, maxIntervalFrames: Int = 0) {
        self.mode = mode
        self.threshold = threshold
        self.maxIntervalSeconds = maxIntervalSeconds
        self.maxIntervalFrames = maxIntervalFrames
    }
}
