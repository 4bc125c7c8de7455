import FCCLIP
import LabelStream

/// One frame after tracking: the segmentation with track ids in place of the per-frame ids
/// (in the panoptic map and its segments), how old each track is, and the events of the frame.
public struct TrackedFrame: Sendable {
    public var segmentation: Segmentation
    /// Track id → frames since the track started (`frame − first frame`, 0 on its first frame).
    public var ages: [Int32: Int]
    /// Events decided on this frame, ends first, then new, then updates (each by id).
    public var events: [TrackEvent]

    public init(segmentation: Segmentation, ages: [Int32: Int] = [:], events: [TrackEvent] = []) {
        self.segmentation = segmentation
        self.ages = ages
        self.events = events
    }
}
