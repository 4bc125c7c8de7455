import ArgumentParser
import CLIP
import FCCLIP
import Foundation
import LabelStream
import Media
import ModelIO
import Pipeline
import Tensor

/// `segd bench pipeline`: what the pipeline adds over the model on a real clip.
struct BenchPipelineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pipeline",
        abstract: "Time the video pipeline's stages on a clip, pipelined and one frame at a time.",
        discussion: """
        Segments INPUT twice into a temporary folder with the same outputs as `segd segment` \
        (panoptic task: labels.jsonl, panoptic PNGs; overlay.mp4 with --overlay): once through the pipeline, \
        whose stages overlap, and once one frame at a time (decode, segment, encode, write, \
        then the next frame). Prints each stage's busy seconds, both wall times, the overlap \
        achieved (sum of busy times over wall time) and the pipelined wall time over the \
        model's own time. A test clip: ffmpeg -f lavfi -i testsrc2=size=1280x720:rate=30 \
        -t 60 -pix_fmt yuv420p clip.mp4
        """
    )

    @Argument(help: "A video file.")
    var input: String

    @Option(help: "The model bundle folder.")
    var model: String

    @Option(help: "Vocabulary (built-in NAME, inline, or @FILE).")
    var vocab: String = "coco"

    @Option(help: ArgumentHelp("Process every N-th frame.", valueName: "n"))
    var every: Int = 1

    @Flag(help: "Also encode overlay.mp4.")
    var overlay = false

    @OptionGroup var compute: ComputeOptions

    func run() throws {
        compute.apply()
        let segmenter: Segmenter, vocabulary: Vocabulary
        do {
            segmenter = try Segmenter(bundle: ModelBundle(directory: model))
            vocabulary = try Vocabulary.resolve(vocab)
        } catch {
            throw CLIError(String(describing: error))
        }
        _ = segmenter.classifier(for: vocabulary)
        segmenter.options = SegmentationTask.panoptic.options(segmenter.options)
        let scratch = NSTemporaryDirectory() + "segd-bench-pipeline-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        var disk = DiskSinkOptions()
        disk.overlay = overlay
        let selection = FrameSelection(rate: every > 1 ? .every(every) : .all)

        let probe = try VideoSource(url: input)
        print("\(input): \(probe.containerName)/\(probe.codecName) \(probe.width)x\(probe.height), "
              + "model input \(segmenter.preprocessor.resizedSize(height: probe.height, width: probe.width)), "
              + "\(ComputeThreads.count) thread(s)")

        // Pipelined.
        let pipeline = VideoPipeline(source: try VideoSource(url: input), segmenter: segmenter,
                                     vocabulary: VocabularyState(vocabulary),
                                     sinks: [try DiskSink(directory: scratch + "/pipelined", options: disk)],
                                     options: PipelineOptions(streamName: "bench", selection: selection))
        let report = pipeline.run()
        guard report.ending == .endOfStream else { throw CLIError("the pipelined run ended early: \(report.ending)") }

        // One frame at a time, same work.
        let sequential = try runSequentially(segmenter: segmenter, vocabulary: vocabulary, selection: selection,
                                             sink: DiskSink(directory: scratch + "/sequential", options: disk))

        let frames = report.statistics.written
        print("frames: \(report.statistics.decoded) decoded, \(frames) processed")
        print("stage            pipelined busy s   ms/frame   one-at-a-time s   ms/frame")
        for stage in PipelineStage.allCases {
            let busy = report.statistics.busy[stage] ?? 0
            let alone = sequential.busy[stage] ?? 0
            print(stage.rawValue.padding(toLength: 16, withPad: " ", startingAt: 0)
                  + String(format: "%17.2f %10.1f %17.2f %10.1f", busy, 1000 * busy / Double(max(frames, 1)),
                           alone, 1000 * alone / Double(max(frames, 1))))
        }
        let model = sequential.busy[.inference] ?? 0
        print(String(format: "wall: pipelined %.2f s (%.1f frames/s), one at a time %.2f s (%.1f frames/s)",
                     report.wallSeconds, Double(frames) / report.wallSeconds, sequential.wall, Double(frames) / sequential.wall))
        print(String(format: "overlap (busy / wall): pipelined %.2f, one at a time %.2f", report.overlap,
                     sequential.busy.values.reduce(0, +) / sequential.wall))
        print(String(format: "pipelined wall / model time alone: %.3f (1.000 = the pipeline adds nothing over the model)",
                     report.wallSeconds / model))
    }

    private struct SequentialRun {
        var wall: Double
        var busy: [PipelineStage: Double]
    }

    private func runSequentially(segmenter: Segmenter, vocabulary: Vocabulary, selection: FrameSelection,
                                 sink: DiskSink) throws -> SequentialRun {
        let source = try VideoSource(url: input)
        var cursor = FrameSelection.Cursor(selection)
        var busy: [PipelineStage: Double] = [:]
        let start = ContinuousClock.now
        func timed<T>(_ stage: PipelineStage, _ body: () throws -> T) rethrows -> T {
            let begin = ContinuousClock.now
            defer { busy[stage, default: 0] += (ContinuousClock.now - begin).seconds }
            return try body()
        }
        while let frame = try timed(.decode, { try source.nextFrame { cursor.wants(index: $0, pts: $1) } }) {
            guard let image = frame.image else { continue }
            let segmentation = timed(.inference) { segmenter.segment(image, vocabulary: vocabulary) }
            let record = timed(.encode) {
                FrameRecord(segmentation: segmentation, vocabulary: vocabulary,
                            metadata: FrameMetadata(stream: "bench", frame: frame.index, pts: frame.pts))
            }
            try timed(.output) {
                try sink.write(FrameOutput(record: record, segmentation: segmentation, image: image, vocabulary: vocabulary))
            }
        }
        try timed(.output) { try sink.finish() }
        return SequentialRun(wall: (ContinuousClock.now - start).seconds, busy: busy)
    }
}

extension Duration {
    /// The duration in seconds.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}
