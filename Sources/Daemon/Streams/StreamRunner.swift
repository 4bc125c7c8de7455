import CLIP
import Foundation
import LabelStream
import Logging
import Pipeline

/// One configured stream, running: a reconnecting source, the pipeline on the shared model,
/// and the stream's sinks (segmented disk folders, the label socket).
final class StreamRunner: @unchecked Sendable {
    let config: StreamConfig
    let vocabulary: VocabularyState
    let source: ReconnectingSource
    let pipeline: VideoPipeline
    private let model: any FrameSegmenting
    private let socket: LabelSocketServer?
    private let finished = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var vocabularySpec: String
    private var report: PipelineReport?
    private var stopped = false
    private let logger: Logger?

    /// Sets the stream up (sockets bound, folders created, vocabulary resolved); `start` runs it.
    init(config: StreamConfig, daemon: DaemonConfig, arbiter: ModelArbiter, logger: Logger? = nil) throws {
        self.config = config
        self.logger = logger
        vocabularySpec = config.vocabulary
        let resolved: Vocabulary
        do {
            resolved = try Vocabulary.resolve(config.vocabulary)
        } catch {
            throw ControlError("stream \(config.name): vocabulary: \(error)")
        }
        vocabulary = VocabularyState(resolved)
        // A frame that cannot fit would end the whole daemon at its first allocation: refuse it now.
        let bounds = config.modelInputBounds(arbiter.segmenter.config.input)
        try MemoryBudget.forConfig(daemon).check(stream: config.name, needs: config.estimatedWorkingMemory(arbiter.segmenter.config),
                                                 inputSize: bounds.short, inputMaxSize: bounds.long)
        let task = SegmentationTask(rawValue: config.task.rawValue) ?? .panoptic
        model = arbiter.model(inputSize: config.inputSize, inputMaxSize: config.inputMaxSize,
                              options: task.options(arbiter.segmenter.options,
                                                    semanticMaps: config.outputs.disk && config.outputs.semantic))
        source = ReconnectingSource(url: config.url, policy: daemon.reconnect, name: config.name, logger: logger)
        source.maxFramePixels = MemoryBudget.forConfig(daemon).maxFramePixels(
            besides: config.estimatedWorkingMemory(arbiter.segmenter.config),
            semanticClasses: config.outputs.semantic || config.task == .semantic ? resolved.classes.count : 0)
        source.paused = config.paused

        var sinks: [any FrameSink] = []
        if config.outputs.disk || config.outputs.overlay {
            var options = DiskSinkOptions()
            options.panoptic = config.outputs.disk && config.task == .panoptic
            options.semantic = config.outputs.disk && (config.outputs.semantic || config.task == .semantic)
            options.overlay = config.outputs.overlay
            let disk = try SegmentedDiskSink(root: daemon.outputRoot + "/" + config.name, retention: config.retention,
                                             options: options)
            if let recovered = disk.recovered, !recovered.isClean { logger?.warning("stream \(config.name): \(recovered)") }
            sinks.append(disk)
        }
        if config.outputs.socket {
            let server = try LabelSocketServer(path: daemon.socketDirectory + "/" + config.name + ".sock")
            socket = server
            sinks.append(LabelSocketSink(server: server))
        } else {
            socket = nil
        }
        pipeline = VideoPipeline(source: source, segmenter: model, vocabulary: vocabulary, sinks: sinks,
                                 options: PipelineOptions(streamName: config.name,
                                                          selection: FrameSelection(rate: config.fps.map { .fps($0) } ?? .all),
                                                          live: true, tracking: config.tracking, reuse: config.reuse))
    }

    /// Runs the pipeline on its own thread until `stop`. A pipeline that ends by itself (a sink
    /// that cannot write) ends this stream alone: it is logged, and `status` shows it failed.
    func start() {
        let thread = Thread { [self] in
            let report = pipeline.run()
            lock.lock()
            self.report = report
            let stopped = self.stopped
            lock.unlock()
            if !stopped, let error = Self.failure(of: report) {
                logger?.error("stream \(config.name) stopped: \(error)")
            }
            finished.signal()
        }
        thread.name = "segd.stream.\(config.name)"
        thread.start()
    }

    /// Stops reading, writes every frame already segmented, closes the sinks (socket file
    /// removed). Returns false if that took longer than `timeout` seconds.
    @discardableResult
    func stop(timeout: Double) -> Bool {
        lock.lock()
        let first = !stopped
        stopped = true
        lock.unlock()
        if first { pipeline.stop() }
        return finished.wait(timeout: .now() + timeout) == .success
    }

    /// Replaces the vocabulary with one from the configuration (`spec` as a stream's
    /// `vocabulary` key takes it). Returns the new version.
    func setVocabulary(_ spec: String) throws -> Int {
        let resolved: Vocabulary
        do {
            resolved = try Vocabulary.resolve(spec)
        } catch {
            throw ControlError("stream \(config.name): vocabulary: \(error)")
        }
        return setVocabulary(resolved, shownAs: spec)
    }

    /// Replaces the vocabulary with `resolved`, shown as `spec` in `segd ctl list`; its text
    /// embeddings are computed before the switch, so no frame waits for them. Returns the new version.
    func setVocabulary(_ resolved: Vocabulary, shownAs spec: String) -> Int {
        model.prepare(vocabulary: resolved)
        lock.lock()
        vocabularySpec = spec
        lock.unlock()
        return vocabulary.set(resolved)
    }

    /// Why a pipeline that was not stopped ended, if it failed.
    static func failure(of report: PipelineReport) -> String? {
        switch report.ending {
        case .sinkFailed(let message), .sourceFailed(let message): return message
        case .endOfStream: return "the source ended"
        case .stopped: return nil
        }
    }

    var status: StreamStatus {
        let s = pipeline.statistics.snapshot
        let sourceStatus = source.status
        lock.lock()
        let spec = vocabularySpec
        let isStopped = stopped
        let failure = report.flatMap(Self.failure)
        lock.unlock()
        let state: StreamStatus.State = isStopped ? .stopped : failure != nil ? .failed : sourceStatus.state
        return StreamStatus(name: config.name, url: config.url, state: state,
                            lastError: failure ?? sourceStatus.lastError, retryIn: sourceStatus.retryIn, vocabulary: spec,
                            vocabVersion: vocabulary.current.version, framesDecoded: s.decoded, framesProcessed: s.written,
                            framesSkipped: s.skippedBusy, decodeErrors: source.decodeErrors, reconnects: sourceStatus.reconnects,
                            subscribers: socket?.subscriberCount ?? 0, subscriberDrops: socket?.totalDropped ?? 0,
                            queueDepth: s.inferenceQueueDepth)
    }
}
