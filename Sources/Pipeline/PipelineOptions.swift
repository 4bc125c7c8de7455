/// How a `VideoPipeline` runs.
public struct PipelineOptions: Sendable {
    /// The stream's name in every record (`stream`).
    public var streamName: String
    /// Which frames are processed.
    public var selection: FrameSelection
    /// Newest-frame-wins scheduling instead of back-pressure; nil = decide from `FrameSource.isLive`.
    public var live: Bool?
    /// Frames allowed to wait for the model under back-pressure (files).
    public var inferenceQueueCapacity: Int
    /// Frames allowed between the model and the sinks (records being built concurrently, or
    /// waiting to be written in order); bounds memory.
    public var outputQueueCapacity: Int
    /// Track ids and object events (`SegmentTracker`) for panoptic output; nil: per-frame ids
    /// and no events.
    public var tracking: TrackerOptions?
    /// Change gating: frames that barely changed since the last full frame reuse its result
    /// (`ReuseOptions`; off by default).
    public var reuse: ReuseOptions

    public init(streamName: String, selection: FrameSelection = FrameSelection(), live: Bool? = nil,
                inferenceQueueCapacity: Int = 2, outputQueueCapacity: Int = 4, tracking: TrackerOptions? = TrackerOptions(),
                reuse: ReuseOptions = ReuseOptions()) {
        self.streamName = streamName
        self.selection = selection
        self.live = live
        self.inferenceQueueCapacity = inferenceQueueCapacity
        self.outputQueueCapacity = outputQueueCapacity
        self.tracking = tracking
        self.reuse = reuse
    }
}

/// How a pipeline run ended.
public struct PipelineReport: Sendable {
    public enum Ending: Sendable, Equatable {
        /// The source ended (or the frame range was done).
        case endOfStream
        /// `stop()` was called (SIGINT/SIGTERM, daemon shutdown).
        case stopped
        /// The source failed for good; what it said.
        case sourceFailed(String)
        /// A sink failed to write; what it said.
        case sinkFailed(String)
    }

    public var ending: Ending
    public var statistics: PipelineStatistics.Snapshot
    /// Wall-clock seconds from start to the last sink's finish.
    public var wallSeconds: Double
    /// Errors from sinks' `finish` (each names its output); empty when all flushed cleanly.
    public var finishErrors: [String]

    /// Sum of the stages' busy times over wall time: 1 means no overlap, up to 4 with the four
    /// stages all busy at once.
    public var overlap: Double {
        wallSeconds > 0 ? statistics.busy.values.reduce(0, +) / wallSeconds : 0
    }
}
