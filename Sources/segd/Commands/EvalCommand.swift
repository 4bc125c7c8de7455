import ArgumentParser
import CLIP
import FCCLIP
import Foundation
import LabelStream
import Media
import ModelIO
import Pipeline

/// `segd eval`: quality numbers of a run (not pass/fail).
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Measure the quality of segd's outputs on a clip.",
        subcommands: [EvalTrackCommand.self]
    )
}

/// `segd eval track`: how well ids persist on a clip, against ground truth when given.
struct EvalTrackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "track",
        abstract: "Tracking quality on a clip: id switches, fragmentation, mean track length.",
        discussion: """
        Segments VIDEO through the video pipeline (as `segd segment`, panoptic task, tracking on; \
        nothing is written) and counts, per frame, which predicted thing segment matches which \
        true object (IoU > 0.5). With --truth (a gt.jsonl: one line per frame, {"frame": n, \
        "segments": [{"track": id, "isthing": bool, "rle": {"size": [h, w], "counts": "…"}}]}, as \
        in the shapes fixtures), reports id switches (an object matched to another id than before), \
        fragmentations (an object matched again after being missed) and misses; always reports \
        the predicted thing tracks and their mean length in frames.
        """
    )

    @Argument(help: "A video file.")
    var input: String

    @Option(help: "The model bundle folder.")
    var model: String

    @Option(help: "Vocabulary (built-in NAME, inline, or @FILE).")
    var vocab: String

    @Option(help: ArgumentHelp("Ground truth: a gt.jsonl with per-frame masks and track ids.", valueName: "file"))
    var truth: String?

    @Option(help: ArgumentHelp("Process every N-th frame.", valueName: "n"))
    var every: Int = 1

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    @OptionGroup var compute: ComputeOptions

    func validate() throws {
        if every < 1 { throw ValidationError("--every must be at least 1") }
    }

    func run() throws {
        compute.apply()
        let segmenter: Segmenter, vocabulary: Vocabulary
        do {
            segmenter = try Segmenter(bundle: ModelBundle(directory: model))
            vocabulary = try Vocabulary.resolve(vocab)
        } catch {
            throw CLIError(String(describing: error))
        }
        let truthFrames = try truth.map { try GroundTruthFile.read($0) }
        segmenter.options = SegmentationTask.panoptic.options(segmenter.options)
        var sourceOptions = VideoSourceOptions()
        sourceOptions.exportMotionVectors = true
        let source: VideoSource
        do { source = try VideoSource(url: input, options: sourceOptions) } catch { throw CLIError(String(describing: error)) }
        let sink = EvaluationSink(truth: truthFrames)
        let pipeline = VideoPipeline(source: source, segmenter: segmenter, vocabulary: VocabularyState(vocabulary), sinks: [sink],
                                     options: PipelineOptions(streamName: "eval", selection: FrameSelection(rate: every > 1 ? .every(every) : .all)))
        let report = pipeline.run()
        if case .sourceFailed(let reason) = report.ending { throw CLIError("the input failed: \(reason)") }
        if let problem = sink.problem { throw CLIError(problem) }
        let e = sink.evaluation
        if json {
            var fields = ["\"frames\":\(e.frames)", "\"predicted_tracks\":\(e.predictedTracks)",
                          "\"mean_track_length\":\(String(format: "%.2f", e.meanTrackLength))", "\"events_new\":\(sink.newEvents)"]
            if truth != nil {
                fields += ["\"true_objects\":\(sink.trueObjects)", "\"appearances\":\(e.truthAppearances)", "\"matches\":\(e.matches)",
                           "\"misses\":\(e.misses)", "\"id_switches\":\(e.idSwitches)", "\"fragmentations\":\(e.fragmentations)"]
            }
            print("{" + fields.joined(separator: ",") + "}")
            return
        }
        print("frames: \(e.frames); predicted thing tracks: \(e.predictedTracks), mean length \(String(format: "%.1f", e.meanTrackLength)) frames; \(sink.newEvents) new events")
        if truth != nil {
            print("true objects: \(sink.trueObjects), \(e.truthAppearances) appearances: \(e.matches) matched (IoU > 0.5), \(e.misses) missed")
            print("id switches: \(e.idSwitches), fragmentations: \(e.fragmentations)")
        }
    }
}

/// Feeds each tracked frame to a `TrackEvaluation`.
final class EvaluationSink: FrameSink {
    let truth: [Int: GroundTruthFile.Frame]?
    private(set) var evaluation = TrackEvaluation()
    private(set) var newEvents = 0
    private(set) var problem: String?
    private var objects: Set<Int32> = []
    var trueObjects: Int { objects.count }

    init(truth: [Int: GroundTruthFile.Frame]?) {
        self.truth = truth
    }

    func write(_ output: FrameOutput) throws {
        newEvents += output.events.filter { $0.event == .new }.count
        guard let panoptic = output.segmentation.panoptic else { return }
        let things = Set(panoptic.segments.filter(\.isThing).map(\.id))
        guard let truth else {
            evaluation.add(predicted: panoptic.ids, predictedThings: things)
            return
        }
        guard let frame = truth[output.record.frame] else {
            problem = problem ?? "the ground truth has no line for frame \(output.record.frame)"
            return
        }
        let s = output.segmentation
        guard frame.height == s.height, frame.width == s.width else {
            problem = problem ?? "the ground truth of frame \(output.record.frame) is \(frame.width)x\(frame.height), the video \(s.width)x\(s.height)"
            return
        }
        objects.formUnion(frame.things)
        evaluation.add(predicted: panoptic.ids, predictedThings: things, truth: frame.ids, truthThings: frame.things)
    }

    func finish() throws {}
}

/// A gt.jsonl: per frame, the true segments' masks (COCO RLE) and track ids.
enum GroundTruthFile {
    struct Frame {
        var width: Int, height: Int
        /// Row-major track id per pixel (0: none).
        var ids: [Int32]
        var things: Set<Int32>
    }

    private struct Line: Decodable {
        var frame: Int
        var segments: [Segment]
        struct Segment: Decodable {
            var track: Int
            var isthing: Bool
            var rle: RLERecord
        }
    }

    static func read(_ path: String) throws -> [Int: Frame] {
        guard let data = FileManager.default.contents(atPath: path) else { throw CLIError("cannot read the ground truth \(path)") }
        var frames: [Int: Frame] = [:]
        let decoder = JSONDecoder()
        for (n, line) in data.split(separator: UInt8(ascii: "\n")).enumerated() where !line.isEmpty {
            do {
                let l = try decoder.decode(Line.self, from: Data(line))
                guard let first = l.segments.first, first.rle.size.count == 2 else { continue }
                let h = first.rle.size[0], w = first.rle.size[1]
                var ids = [Int32](repeating: 0, count: h * w)
                var things: Set<Int32> = []
                for s in l.segments {
                    let mask = try s.rle.decoded().decode()     // row-major
                    guard mask.count == h * w, s.track > 0, s.track < Int(Int32.max) else { continue }
                    let id = Int32(s.track)
                    if s.isthing { things.insert(id) }
                    for i in mask.indices where mask[i] != 0 { ids[i] = id }
                }
                frames[l.frame] = Frame(width: w, height: h, ids: ids, things: things)
            } catch {
                throw CLIError("\(path): line \(n + 1): \(error)")
            }
        }
        return frames
    }
}
