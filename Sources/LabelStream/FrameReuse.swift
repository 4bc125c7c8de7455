/// What a record's `reuse` key says about its frame.
public enum FrameReuse: String, Sendable, Equatable, CaseIterable {
    /// The model ran on the frame.
    case full
    /// The frame barely changed since the last full frame and reuses its segments (`keyframe`
    /// is false).
    case carried
}
