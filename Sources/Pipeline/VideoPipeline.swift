import CLIP
import FCCLIP
import Foundation
import LabelStream
import Media

/// Segments a video stream frame by frame and hands the results to sinks, with the stages
/// running concurrently on Dispatch queues:
///
///     decode ──handoff──► inference ──► encode (concurrent) ──► reorder ──► output (sinks)
///     (FFmpeg,   files:    (the model,    (records:                (frame     (in frame order)
///      select)   bounded;  serial)         COCO RLE)                 order)
///                live: newest wins
///
/// While the model works on frame t, the decoder prepares t+1 and the sinks write t−1. Every
/// hand-off is bounded (`PipelineOptions`), so a slow stage slows the ones before it (files)
/// or drops stale frames (live sources) instead of growing memory. Sinks always see frames in
/// decode order, whatever the stages' timing.
///
/// `stop()` (SIGINT/SIGTERM) ends decoding, drops the frames not yet given to the model, lets
/// the frames already past it reach every sink, then finishes the sinks: nothing processed is
/// lost.
public final class VideoPipeline: @unchecked Sendable {
    /// Live counters and stage times (progress display, metrics).
    public let statistics = PipelineStatistics()

    private let source: any FrameSource
    private let segmenter: any FrameSegmenting
    private let vocabulary: VocabularyState
    private let sinks: [any FrameSink]
    private let options: PipelineOptions

    private let decodeQueue = DispatchQueue(label: "segd.pipeline.decode")
    private let inferenceQueue = DispatchQueue(label: "segd.pipeline.inference")
    private let encodeQueue = DispatchQueue(label: "segd.pipeline.encode", attributes: .concurrent)
    private let outputQueue = DispatchQueue(label: "segd.pipeline.output")
    private let handoff: FrameHandoff<PendingFrame>
    /// Frames between the model and the sinks; acquired after inference, released once written.
    private let outputSlots: DispatchSemaphore
    private let inFlight = DispatchGroup()

    private let stateLock = NSLock()
    private var stopRequested = false
    private var ending: PipelineReport.Ending?
    private var started = false
    // Touched on `outputQueue` only.
    private var reorder = ReorderBuffer<FrameOutput>()
    private var sinkFailed = false
    // Touched on `inferenceQueue` only (and after it finished).
    private let tracker: SegmentTracker?
    private var sceneCuts: SceneCutDetector
    private var reuseGate: ReuseGate

    public init(source: any FrameSource, segmenter: any FrameSegmenting, vocabulary: VocabularyState,
                sinks: [any FrameSink], options: PipelineOptions) {
        self.source = source
        self.segmenter = segmenter
        self.vocabulary = vocabulary
        self.sinks = sinks
        self.options = options
        let live = options.live ?? source.isLive
        handoff = FrameHandoff(policy: live ? .newestWins : .backpressure(capacity: options.inferenceQueueCapacity))
        outputSlots = DispatchSemaphore(value: max(options.outputQueueCapacity, 1))
        tracker = options.tracking.map { SegmentTracker(options: $0, stream: options.streamName) }
        sceneCuts = SceneCutDetector(threshold: options.tracking?.sceneCutThreshold ?? 0)
        reuseGate = ReuseGate(options: options.reuse)
        useMotion = !live && options.tracking?.useMotionVectors == true
    }

    /// Whether the decoder's motion vectors are gathered for the tracker (files only: on a live
    /// source, frames replaced in the hand-off would take their motion with them).
    private let useMotion: Bool

    /// Runs the stream to its end (or until `stop()`), then finishes every sink. Blocks the
    /// calling thread; call once.
    public func run() -> PipelineReport {
        stateLock.lock()
        precondition(!started, "VideoPipeline.run() called twice")
        started = true
        stateLock.unlock()

        let start = ContinuousClock.now
        inFlight.enter()
        decodeQueue.async {
            self.decodeLoop()
            self.inFlight.leave()
        }
        inFlight.enter()
        inferenceQueue.async {
            self.inferenceLoop()
            self.inFlight.leave()
        }
        inFlight.wait()

        // Every track still open ends with the stream (also after stop() and failures).
        let ends = tracker?.finish() ?? []
        let finishErrors: [String] = outputQueue.sync {
            var errors: [String] = []
            if !ends.isEmpty {
                for sink in sinks {
                    do { try sink.write(events: ends) } catch { errors.append(String(describing: error)) }
                }
            }
            for sink in sinks {
                do { try sink.finish() } catch { errors.append(String(describing: error)) }
            }
            return errors
        }
        statistics.update { $0.decodeErrors = source.decodeErrors }
        stateLock.lock()
        let ending = self.ending ?? .endOfStream
        stateLock.unlock()
        // A sink that failed to write and fails the same way when finishing is reported once.
        var reported: Set<String> = []
        if case .sinkFailed(let reason) = ending { reported.insert(reason) }
        let distinct = finishErrors.filter { reported.insert($0).inserted }
        return PipelineReport(ending: ending, statistics: statistics.snapshot, wallSeconds: seconds(since: start),
                              finishErrors: distinct)
    }

    /// Ends the run early: decoding stops, frames not yet segmented are dropped, frames already
    /// segmented are written, and `run` returns once every sink has finished. Thread-safe,
    /// idempotent; safe to call before `run`.
    public func stop() {
        stateLock.lock()
        let first = !stopRequested
        stopRequested = true
        if ending == nil { ending = .stopped }
        stateLock.unlock()
        guard first else { return }
        source.interrupt()
        handoff.cancel()
    }

    private var isStopping: Bool {
        stateLock.lock()
        defer { stateLock.unlock() }
        return stopRequested
    }

    /// Records why the run ends. A sink failure also stops the run; after a source failure the
    /// frames already decoded are still segmented and written (the decode loop just ends).
    private func fail(_ reason: PipelineReport.Ending) {
        stateLock.lock()
        if ending == nil { ending = reason }
        stateLock.unlock()
        if case .sinkFailed = reason { stop() }
    }

    // MARK: - Stages

    /// Decodes frames and hands the selected ones to the model.
    private func decodeLoop() {
        defer { handoff.close() }
        var cursor = FrameSelection.Cursor(options.selection)
        // Timestamp discontinuities so far, counted on every decoded frame: the next processed
        // frame reports one even when the frame that had it was not selected or was replaced.
        var timeline = 0
        // The codec's motion since the previous selected frame.
        var motion: MotionField?
        while !isStopping {
            let begin = ContinuousClock.now
            let decoded: DecodedFrame?
            do {
                decoded = try source.nextFrame { index, pts in cursor.wants(index: index, pts: pts) }
            } catch {
                if !isStopping { fail(.sourceFailed(String(describing: error))) }
                return
            }
            guard let frame = decoded else { return }
            if frame.discontinuity { timeline += 1 }
            let selected = frame.image != nil
            if useMotion, let vectors = frame.motionVectors, frame.width > 0, frame.height > 0 {
                let field = MotionField(vectors: vectors, width: frame.width, height: frame.height)
                if motion == nil || motion?.width != frame.width || motion?.height != frame.height {
                    motion = field
                } else {
                    motion!.accumulate(field)
                }
            }
            statistics.record(.decode, seconds: seconds(since: begin))
            statistics.update {
                $0.decoded += 1
                if selected { $0.selected += 1 }
                $0.decodeErrors = source.decodeErrors
            }
            if selected {
                guard let replaced = handoff.put(PendingFrame(frame: frame, timeline: timeline, motion: motion)) else { return }
                motion = nil
                let depth = handoff.depth
                statistics.update {
                    $0.skippedBusy += replaced
                    $0.inferenceQueueDepth = depth
                }
            }
            if options.selection.isFinished(after: frame.index) { return }
        }
    }

    /// Segments frames one at a time (the model uses every core inside) and sends each to be
    /// encoded; waits for an output slot first, so sinks that fall behind slow the model down.
    private func inferenceLoop() {
        segmenter.prepare(vocabulary: vocabulary.current.vocabulary)
        var sequence = 0
        var timeline = 0
        while let pending = handoff.take() {
            let frame = pending.frame
            guard let image = frame.image else { continue }
            let discontinuity = pending.timeline != timeline
            timeline = pending.timeline
            let (vocabulary, version) = self.vocabulary.current
            let begin = ContinuousClock.now
            var segmentation: Segmentation
            let carried = reuseGate.carried(image, frame: frame.index, pts: frame.pts, vocabVersion: version,
                                            discontinuity: discontinuity)
            if let carried {
                segmentation = carried
            } else {
                segmentation = segmenter.segment(image, vocabulary: vocabulary)
                reuseGate.ranModel(frame: frame.index, pts: frame.pts, vocabVersion: version, segmentation: segmentation)
            }
            statistics.record(.inference, seconds: seconds(since: begin))
            var ages: [Int32: Int]?
            var events: [TrackEvent] = []
            if let tracker {
                let begin = ContinuousClock.now
                // A new shot, or a break in the source's timestamps (a reconnect, a splice).
                let cut = sceneCuts.isCut(image) || discontinuity
                let tracked = tracker.track(segmentation, frame: frame.index, pts: frame.pts, vocabulary: vocabulary,
                                            sceneCut: cut, motion: pending.motion)
                segmentation = tracked.segmentation
                ages = tracked.ages
                events = tracked.events
                statistics.record(.tracking, seconds: seconds(since: begin))
            }
            let depth = handoff.depth
            statistics.update {
                $0.inferred += 1
                if carried != nil { $0.carried += 1 }
                $0.inferenceQueueDepth = depth
                $0.outputQueueDepth += 1
            }
            outputSlots.wait()
            let metadata = FrameMetadata(stream: options.streamName, frame: frame.index, pts: frame.pts,
                                         keyframe: carried == nil, vocabVersion: version, discontinuity: discontinuity,
                                         sourcePTS: discontinuity ? frame.sourcePTS : nil,
                                         reuse: options.reuse.mode == .off ? nil : carried == nil ? .full : .carried)
            let number = sequence
            sequence += 1
            inFlight.enter()
            let tracked = segmentation, trackAges = ages, frameEvents = events
            encodeQueue.async {
                let begin = ContinuousClock.now
                let record = FrameRecord(segmentation: tracked, vocabulary: vocabulary, metadata: metadata, trackAges: trackAges)
                self.statistics.record(.encode, seconds: seconds(since: begin))
                let output = FrameOutput(record: record, segmentation: tracked, image: image, vocabulary: vocabulary, events: frameEvents)
                self.outputQueue.async { self.deliver(output, sequence: number) }
            }
        }
    }

    /// A decoded frame on its way to the model, with the number of timestamp discontinuities
    /// the source had reported up to it.
    private struct PendingFrame {
        var frame: DecodedFrame
        var timeline: Int
        /// The codec's motion since the previous selected frame (files with vectors only).
        var motion: MotionField?
    }

    /// Runs on `outputQueue`: writes every frame that is now in order to every sink.
    private func deliver(_ output: FrameOutput, sequence: Int) {
        for item in reorder.add(output, sequence: sequence) {
            if !sinkFailed {
                let begin = ContinuousClock.now
                do {
                    for sink in sinks { try sink.write(item) }
                    statistics.record(.output, seconds: seconds(since: begin))
                    statistics.update { $0.written += 1 }
                } catch {
                    sinkFailed = true
                    fail(.sinkFailed(String(describing: error)))
                }
            }
            statistics.update { $0.outputQueueDepth -= 1 }
            outputSlots.signal()
            inFlight.leave()
        }
    }
}
