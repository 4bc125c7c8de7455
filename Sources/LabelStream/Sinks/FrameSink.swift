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

    public init(record: FrameRecord, segmentation: Segmentation, image: RGBImage, vocabulary: Vocabulary) {
        self.record = record
        self.segmentation = segmentation
        self.image = image
        self.vocabulary = vocabulary
    }
}

/// A consumer of processed frames. The pipeline calls `write` from one queue, in frame order,
/// then `finish` exactly once (at end of stream, on an error, or on SIGINT/SIGTERM), after
/// which nothing more is written. `finish` must leave every output complete and flushed:
/// whatever was passed to `write` is not lost.
public protocol FrameSink: AnyObject {
    /// Consumes one frame. A thrown error stops the pipeline (after `finish` of every sink).
    func write(_ output: FrameOutput) throws
    /// Flushes and closes every output.
    func finish() throws
}
