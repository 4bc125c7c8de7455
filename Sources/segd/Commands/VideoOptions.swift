import ArgumentParser
import CLIP
import FCCLIP
import LabelStream
import Media
import Pipeline

/// `segd segment`'s options that apply to a video input.
struct VideoOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Also serve the records on this Unix socket (mode 0660, removed on exit).", valueName: "path"))
    var socket: String?

    @Option(help: ArgumentHelp("Process every N-th frame (frames 0, N, 2N, …).", valueName: "n"))
    var every: Int?

    @Option(help: ArgumentHelp("Process at most F frames per second of video time.", valueName: "f"))
    var fps: Double?

    @Option(help: ArgumentHelp("Only frames A to B−1 (decode order, from 0); `A:` to the end.", valueName: "A:B"))
    var frames: String?

    @Flag(help: "Write overlay.mp4: the frames with coloured masks and labels.")
    var overlay = false

    @Flag(help: "Write semantic/NNNNNN.png (class index per pixel) as well.")
    var semantic = false

    @Option(help: ArgumentHelp("The stream name in the records (default: the input's file name).", valueName: "name"))
    var stream: String?

    @Option(help: ArgumentHelp("Seconds without data from a network input before it counts as failed.", valueName: "s"))
    var readTimeout: Double = 10

    @Flag(help: "Per-frame segment ids, no events.jsonl (default: track ids that persist across frames).")
    var noTracking = false

    @Option(help: ArgumentHelp("Minimum score for a tracked object to make events: S for every class, or LABEL=S (repeatable).", valueName: "s"))
    var trackMinScore: [String] = []

    @Option(help: ArgumentHelp("Minimum area in pixels for a tracked object to make events: N, or LABEL=N (repeatable).", valueName: "n"))
    var trackMinArea: [String] = []

    @Option(help: ArgumentHelp("A lost object keeps its id for this many processed frames…", valueName: "n"))
    var trackGraceFrames: Int = TrackerOptions().graceFrames

    @Option(help: ArgumentHelp("…and this many seconds (the longer of the two).", valueName: "s"))
    var trackGraceSeconds: Double = TrackerOptions().graceSeconds

    @Option(help: ArgumentHelp("Frames in a row before a new object is reported (events).", valueName: "n"))
    var trackConfirm: Int = TrackerOptions().confirmHits

    @Option(help: ArgumentHelp("off: the model runs on every processed frame; gate: a frame that barely changed since the last full frame reuses its segments (records say \"reuse\").", valueName: "off|gate"))
    var reuse: ReuseOptions.Mode = Self.defaultReuse

    @Option(help: ArgumentHelp("With --reuse gate: the change (mean absolute luma difference of 32×18 thumbnails, 0–255) below which a frame is carried.", valueName: "L"))
    var reuseThreshold: Double = ReuseOptions.defaultThreshold

    @Option(help: ArgumentHelp("With --reuse gate: a full frame at least every S seconds of video.", valueName: "s"))
    var reuseMaxInterval: Double = ReuseOptions.defaultMaxIntervalSeconds

    func validate() throws {
        if every != nil && fps != nil { throw ValidationError("give --every or --fps, not both") }
        if let every, every < 1 { throw ValidationError("--every must be at least 1") }
        if let fps, !(fps > 0 && fps.isFinite) { throw ValidationError("--fps must be a positive number") }
        if frames != nil && frameRange == nil {
            throw ValidationError("--frames must be A:B with 0 ≤ A < B, or A: (e.g. --frames 100:200)")
        }
        if !(readTimeout > 0) { throw ValidationError("--read-timeout must be positive") }
        if trackGraceFrames < 0 { throw ValidationError("--track-grace-frames must be 0 or more") }
        if !(trackGraceSeconds >= 0 && trackGraceSeconds.isFinite) { throw ValidationError("--track-grace-seconds must be 0 or more seconds") }
        if trackConfirm < 1 { throw ValidationError("--track-confirm must be at least 1") }
        if !(reuseThreshold >= 0 && reuseThreshold.isFinite) { throw ValidationError("--reuse-threshold must be 0 or more luma levels (0–255)") }
        if !(reuseMaxInterval > 0 && reuseMaxInterval.isFinite) { throw ValidationError("--reuse-max-interval must be a positive number of seconds") }
        _ = try tracking()
    }

    /// `segd segment`'s default: gate. Measured on the shapes model (README, Segmenting video):
    /// on a static clip 98% of frames are carried at 1/30 of the model's cost with 0.998 panoptic
    /// agreement; on a panning clip none is.
    static let defaultReuse = ReuseOptions.Mode.gate

    /// The change-gating settings the flags give.
    var reuseOptions: ReuseOptions {
        ReuseOptions(mode: reuse, threshold: reuseThreshold, maxIntervalSeconds: reuseMaxInterval)
    }

    /// The tracker settings the flags give; nil with --no-tracking.
    func tracking() throws -> TrackerOptions? {
        guard !noTracking else { return nil }
        var options = TrackerOptions()
        options.graceFrames = trackGraceFrames
        options.graceSeconds = trackGraceSeconds
        options.confirmHits = trackConfirm
        do { try options.filter.parseScores(trackMinScore) } catch { throw ValidationError("--track-min-score: \(error.message)") }
        do { try options.filter.parseAreas(trackMinArea) } catch { throw ValidationError("--track-min-area: \(error.message)") }
        return options
    }

    /// The video-only flags the user gave (to refuse them for still images).
    var flagsGiven: [String] {
        var given: [String] = []
        if socket != nil { given.append("--socket") }
        if every != nil { given.append("--every") }
        if fps != nil { given.append("--fps") }
        if frames != nil { given.append("--frames") }
        if overlay { given.append("--overlay") }
        if semantic { given.append("--semantic") }
        if stream != nil { given.append("--stream") }
        if noTracking { given.append("--no-tracking") }
        if !trackMinScore.isEmpty { given.append("--track-min-score") }
        if !trackMinArea.isEmpty { given.append("--track-min-area") }
        if reuse != Self.defaultReuse { given.append("--reuse") }
        return given
    }

    var frameRange: Range<Int>? {
        guard let frames else { return nil }
        let parts = frames.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let a = Int(parts[0]), a >= 0 else { return nil }
        if parts[1].isEmpty { return a..<Int.max }
        guard let b = Int(parts[1]), b > a else { return nil }
        return a..<b
    }

    var selection: FrameSelection {
        let rate: FrameSelection.Rate = every.map { .every($0) } ?? fps.map { .fps($0) } ?? .all
        return FrameSelection(rate: rate, range: frameRange)
    }

    /// Segments `input` into `out`; returns the exit status (see `SegmentVideo.run`).
    func run(input: String, out: String, task: SegmentCommand.Task, segmenter: Segmenter,
             vocabulary: Vocabulary) throws -> Int32 {
        var disk = DiskSinkOptions()
        disk.panoptic = task == .panoptic
        disk.semantic = semantic || task == .semantic
        disk.overlay = overlay
        // SegmentCommand.Task and SegmentationTask share their raw values.
        let segmentationTask = SegmentationTask(rawValue: task.rawValue) ?? .panoptic
        segmenter.options = segmentationTask.options(segmenter.options, semanticMaps: disk.semantic)
        var sourceOptions = VideoSourceOptions()
        sourceOptions.readTimeout = readTimeout
        let tracking = try self.tracking()
        // The tracker moves the previous masks along the codec's motion vectors.
        sourceOptions.exportMotionVectors = tracking != nil && segmentationTask == .panoptic
        disk.overlayStyle.tracks = tracking != nil
        let run = SegmentVideo(input: input, out: out, streamName: stream ?? Self.defaultStreamName(input),
                               selection: selection, disk: disk, socketPath: socket, sourceOptions: sourceOptions,
                               tracking: tracking, reuse: reuseOptions)
        return try run.run(segmenter: segmenter, vocabulary: vocabulary)
    }

    /// `clip` for `/videos/clip.mp4`, the host for `rtsp://cam1:554/stream`.
    static func defaultStreamName(_ input: String) -> String {
        if let range = input.range(of: "://") {
            let rest = input[range.upperBound...]
            let authority = rest.prefix { $0 != "/" }
            let host = authority.split(separator: "@").last.map { $0.prefix { $0 != ":" } } ?? ""
            if !host.isEmpty { return String(host) }
            return rest.split(separator: "/").last.map(String.init) ?? "stream"
        }
        let name = input.split(separator: "/").last.map(String.init) ?? input
        let stem = name.split(separator: ".").first.map(String.init) ?? name
        return stem.isEmpty ? "stream" : stem
    }
}

extension ReuseOptions.Mode: ExpressibleByArgument {}
