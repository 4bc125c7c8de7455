import CLIP
import FCCLIP
import Foundation
import LabelStream
import Media
import Pipeline

/// The video path of `segd segment`: one file, image sequence, URL or device through the
/// pipeline into `OUT/` and, with `--socket`, to subscribers.
struct SegmentVideo {
    var input: String
    var out: String
    var streamName: String
    var selection: FrameSelection
    var disk: DiskSinkOptions
    var socketPath: String?
    var sourceOptions: VideoSourceOptions
    /// Track ids and events (nil: per-frame ids).
    var tracking: TrackerOptions?
    /// Change gating.
    var reuse: ReuseOptions

    /// Runs to the end of the stream or until SIGINT/SIGTERM; returns the exit status:
    /// 0 when the stream ended (decode errors are reported, not fatal), 1 when the source or a
    /// sink failed, 2 when the stream ended without a single frame segmented (the likely cause
    /// is named), 128 + signal after an interrupt. Every processed frame is written either way.
    func run(segmenter: Segmenter, vocabulary: Vocabulary) throws -> Int32 {
        let source = try VideoSource(url: input, options: sourceOptions)
        log("\(input): \(source.containerName)/\(source.codecName) \(source.width)x\(source.height)"
            + (source.frameRate.map { String(format: ", %.3g fps", $0) } ?? "")
            + (source.duration.map { String(format: ", %.1f s", $0) } ?? "")
            + (source.isLive ? ", live: newest frame wins" : ""))
        let diskSink = try DiskSink(directory: out, options: disk)
        let notesAtStart = diskSink.notes.count
        for note in diskSink.notes { log("warning: \(note)") }
        var sinks: [any FrameSink] = [diskSink]
        if let socketPath {
            sinks.append(try LabelSocketSink(path: socketPath))
            log("serving records on \(socketPath) (segd tail \(socketPath))")
        }
        let pipeline = VideoPipeline(source: source, segmenter: segmenter, vocabulary: VocabularyState(vocabulary),
                                     sinks: sinks, options: PipelineOptions(streamName: streamName, selection: selection,
                                                                             tracking: tracking, reuse: reuse))
        let trap = SignalTrap { signal in
            FileHandle.standardError.write(Data("\nsegd: \(signal == SIGINT ? "interrupted" : "terminated"); writing the frames in flight…\n".utf8))
            pipeline.stop()
        }
        defer { trap.cancel() }
        let expected = source.expectedFrameCount.map { total in
            selection.range.map { min($0.upperBound, total) } ?? total
        }
        let progress = ProgressDisplay(statistics: pipeline.statistics, expectedFrames: expected)
        let report = pipeline.run()
        progress.finish()

        let s = report.statistics
        if reuse.mode != .off {
            log(String(format: "%d of %d processed frames reused the last full frame (--reuse %@); model busy %.3f s",
                       s.carried, s.written, reuse.mode.rawValue, s.busy[.inference] ?? 0))
        }
        log(String(format: "%d frames decoded, %d processed, %d skipped (model busy), %d decode errors in %.1f s (%.2f processed/s) → %@",
                   s.decoded, s.written, s.skippedBusy, s.decodeErrors, report.wallSeconds,
                   report.wallSeconds > 0 ? Double(s.written) / report.wallSeconds : 0, out))
        for error in report.finishErrors { log("error: \(error)") }
        for note in diskSink.notes.dropFirst(notesAtStart) { log("warning: \(note)") }
        switch report.ending {
        case .endOfStream:
            if let cause = report.emptyRunCause(selection: selection) {
                let detail = ImageSequenceCheck.problem(pattern: input).map { "; \($0)" } ?? ""
                log("error: nothing was segmented from \(input): \(cause)\(detail)")
                return Self.nothingSegmentedStatus
            }
            return report.finishErrors.isEmpty ? 0 : 1
        case .stopped:
            return 128 + (trap.signal ?? SIGINT)
        case .sourceFailed(let reason):
            log("error: the input failed: \(reason); the \(s.written) frames processed before are written")
            return 1
        case .sinkFailed(let reason):
            log("error: \(reason); the \(s.written) frames before it are written")
            return 1
        }
    }

    /// The exit status of a run that reached the end of its input without segmenting a frame.
    static let nothingSegmentedStatus: Int32 = 2

    private func log(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }
}
