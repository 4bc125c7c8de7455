import CLIP
import FCCLIP

/// One processed frame as the sinks receive it: the label-stream record plus what the dense
/// outputs are drawn from.
public struct FrameOutput: Sendable {
    /// The record (segments with RLE masks at source size); `droppedBefore` is 0 here and set
    /// per reader by the socket sink.
    public var record: FrameRecord
    /// The model's output for the frame, at source size (panoptic ids, semantic labels, …).
    public var segmentation: Segmentation
    /// The decoded source frame (upright RGB, source size), for overlays.
    public var image: RGBImage
    /// The vocabulary `record`'s labels come from.
    public var vocabulary: Vocabulary
    /// The object events decided on this frame (written after its record).
    public var events: [TrackEvent]

    public init(record: FrameRecord, segmentation: Segmentation, image: RGBImage, vocabulary: Vocabulary,
                events: [TrackEvent] = []) {
        self.record = record
        self.segmentation = segmentation
        self.image = image
        self.vocabulary = vocabulary
        self.events = events
    }
}

/// A consumer of processed frames. The pipeline calls `write` from one queue, in frame order,
/// then `finish` exactly once (at end of stream, on an error, or on SIGINT/SIGTERM), after
/// which nothing more is written. `finish` must leave every output complete and flushed:
/// whatever was passed to `write` is not lost.
public protocol FrameSink: AnyObject {
    /// Consumes one frame (its record, then its `events`). A thrown error stops the pipeline
    /// (after `finish` of every sink).
    func write(_ output: FrameOutput) throws
    /// Consumes events that belong to no frame: the `end`s of every track when the stream
    /// ends or is stopped, just before `finish`. The default ignores them.
    func write(events: [TrackEvent]) throws
    /// Flushes and closes every output.
    func finish() throws
}

extension FrameSink {
    public func write(events: [TrackEvent]) throws {}
}
