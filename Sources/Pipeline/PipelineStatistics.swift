import Foundation

/// The pipeline's stages, in data-flow order.
public enum PipelineStage: String, CaseIterable, Sendable {
    /// Demux, decode and RGB conversion of the selected frames (FFmpeg).
    case decode
    /// The model, from RGB frame to `Segmentation` (preprocessing, network, mask post-processing).
    case inference
    /// Track ids and object events (`SegmentTracker`), on the model's queue after each frame.
    case tracking
    /// Records: COCO RLE of every segment.
    case encode
    /// Every sink's `write` (PNGs, JSON lines, overlay video, socket), in frame order.
    case output
}

/// Counters and stage timings of one pipeline, readable while it runs (progress display,
/// metrics). Thread-safe.
public final class PipelineStatistics: @unchecked Sendable {
    /// A consistent copy of the counters.
    public struct Snapshot: Sendable, Equatable {
        /// Frames the decoder produced (every frame of the stream so far).
        public var decoded = 0
        /// Frames chosen by the frame selection (every k-th, target fps, range).
        public var selected = 0
        /// Selected frames the model never saw because a newer frame replaced them (live sources).
        public var skippedBusy = 0
        /// Frames segmented (full and carried).
        public var inferred = 0
        /// Of those, frames that reused the last full frame's result (change gating).
        public var carried = 0
        /// Frames every sink has written.
        public var written = 0
        /// Packets or frames the decoder could not decode and skipped.
        public var decodeErrors = 0
        /// Wall-clock seconds each stage spent working (not waiting), summed over frames.
        public var busy: [PipelineStage: Double] = [:]
        /// The last frame's seconds in each stage.
        public var last: [PipelineStage: Double] = [:]
        /// Frames waiting for the model (0 or 1 on live sources).
        public var inferenceQueueDepth = 0
        /// Frames between the model and the sinks.
        public var outputQueueDepth = 0

        public init() {}
    }

    private let lock = NSLock()
    private var snapshotValue = Snapshot()
    private var observers: [@Sendable (PipelineStage, Double) -> Void] = []

    public init() {}

    public var snapshot: Snapshot {
        lock.lock()
        defer { lock.unlock() }
        return snapshotValue
    }

    /// Calls `observer` with every stage duration as it is measured (metrics histograms).
    public func observeStageTimes(_ observer: @escaping @Sendable (PipelineStage, Double) -> Void) {
        lock.lock()
        observers.append(observer)
        lock.unlock()
    }

    func update(_ change: (inout Snapshot) -> Void) {
        lock.lock()
        change(&snapshotValue)
        lock.unlock()
    }

    func record(_ stage: PipelineStage, seconds: Double) {
        lock.lock()
        snapshotValue.busy[stage, default: 0] += seconds
        snapshotValue.last[stage] = seconds
        let observers = self.observers
        lock.unlock()
        for observer in observers { observer(stage, seconds) }
    }
}

/// Seconds since `start` on the monotonic clock.
func seconds(since start: ContinuousClock.Instant) -> Double {
    let d = ContinuousClock.now - start
    return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
}
