import ArgumentParser
import CLIP
import FCCLIP
import Foundation
import LabelStream
import Media
import ModelIO
import Tensor

/// `segd segment INPUT… --model BUNDLE --vocab VOCAB --out DIR`: segment still images, or one
/// video file, image sequence, network stream or device.
struct SegmentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "segment",
        abstract: "Segment images or a video into the classes of a vocabulary.",
        discussion: """
        VIDEO: one INPUT that is a video file (any container and codec FFmpeg reads), an image \
        sequence (frames/%06d.png), a URL (http, tcp, udp, rtsp, …) or a device (v4l2:///dev/video0). \
        Writes into --out:
          labels.jsonl        one label-stream record per processed frame (README, "Label stream")
          panoptic/NNNNNN.png COCO panoptic PNG per processed frame, NNNNNN = frame number  [panoptic]
          semantic/NNNNNN.png class index per pixel                  [--task semantic, or --semantic]
          overlay.mp4         the frames with coloured masks and labels            [--overlay]
        --socket PATH also serves the records to any number of readers (segd tail PATH). Frames: \
        every frame, or --every N, or --fps F, within --frames A:B. Live inputs (URLs, devices) never \
        queue: while the model is busy, newer frames replace older ones (counted as skipped). \
        Damaged frames are skipped and counted; a truncated file ends normally. Timestamps stay \
        increasing: where the input's go back or jump (concatenated MPEG-TS), pts continue from the \
        previous frame and that record says "discontinuity": true. SIGINT/SIGTERM stop decoding and \
        write every frame already segmented. Reusing an --out folder replaces the earlier run's \
        outputs (what a killed run left inconsistent is reported). Exit status: 0 at the end of the \
        input; 1 when the input or an output failed (what was processed stays written); 2 when the \
        input ended without a single frame segmented (the cause is named: nothing decodable, files \
        not in the format their names say, no frame matching --frames/--every/--fps); 130/143 after \
        SIGINT/SIGTERM.

        IMAGES: for each IMAGE (any still image FFmpeg reads; at most \(ImageDecoder.defaultMaxSide) pixels per side) \
        writes into --out, named after the image:
          NAME.panoptic.png   COCO panoptic PNG (id = R + 256·G + 256²·B, 0 = void)   [panoptic]
          NAME.json           the label-stream record: segments with id, label, category, isthing,
                              score, area, bbox [x, y, w, h] and COCO compressed RLE
          NAME.semantic.png   class index per pixel (8-bit; 16-bit above 255 classes; void = max)
          NAME.overlay.png    the image with coloured masks, outlines and a legend
        Every file is written atomically. An image that cannot be read is reported and skipped; the \
        outputs of the other images are kept, and the exit status is 1.
        --vocab takes a built-in name (coco, ade20k, ade20k-full, cityscapes, mapillary, pascal-voc, \
        pascal-context, pascal-context-full, lvis), @FILE, or inline classes ("thing: person, child; forklift"). \
        Each synonym's text embedding is kept in the cache folder (--cache-dir; README, "Text classifier \
        cache"), so a later run with the same model encodes only synonyms it has not seen.
        """
    )

    enum Task: String, ExpressibleByArgument, CaseIterable {
        case panoptic, semantic, instance
    }

    @Argument(help: "Image files, or one video file, image sequence, URL or device.")
    var images: [String]

    @Option(help: "The model bundle folder.")
    var model: String

    @Option(help: "Vocabulary: a built-in NAME, @FILE, or inline classes.")
    var vocab: String

    @Option(help: "panoptic, semantic or instance.")
    var task: Task = .panoptic

    @Option(help: "Output folder (created if missing).")
    var out: String

    @Option(help: "Write every intermediate tensor under the golden fixtures' names to this safetensors file (one image only).")
    var dumpTensors: String?

    @OptionGroup var video: VideoOptions

    @OptionGroup var cache: CacheOptions

    @OptionGroup var compute: ComputeOptions

    func validate() throws {
        if images.isEmpty { throw ValidationError("give at least one image or one video") }
        if dumpTensors != nil && images.count != 1 { throw ValidationError("--dump-tensors takes exactly one image") }
    }

    func run() throws {
        compute.apply()
        let segmenter: Segmenter
        let vocabulary: Vocabulary
        do {
            segmenter = try Segmenter(bundle: ModelBundle(directory: model))
            vocabulary = try Vocabulary.resolve(vocab)
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        } catch {
            throw CLIError(String(describing: error))
        }
        // One input that is a video (file, sequence, URL, device) takes the video path; a missing
        // or unreadable single input is reported here, after the model and vocabulary checks.
        let isVideo: Bool
        do {
            isVideo = try images.count == 1 && MediaProbe.kind(of: images[0]) == .video
        } catch {
            throw CLIError(String(describing: error))
        }
        if !isVideo, let flag = video.flagsGiven.first {
            throw ValidationError("\(flag) applies to a video input; \(images.count == 1 ? "\(images[0]) is a still image" : "give one video")")
        }
        if isVideo && dumpTensors != nil { throw ValidationError("--dump-tensors takes an image, not a video") }
        switch task {
        case .panoptic: segmenter.options.panoptic = true; segmenter.options.instances = false; segmenter.options.semantic = true
        case .semantic: segmenter.options.panoptic = false; segmenter.options.instances = false; segmenter.options.semantic = true
        case .instance: segmenter.options.panoptic = false; segmenter.options.instances = true; segmenter.options.semantic = false
        }
        let textStart = ContinuousClock.now
        segmenter.textCache = cache.cache()
        let text = segmenter.loadClassifier(for: vocabulary).report.map { report in
            segmenter.textCache == nil ? "encoded" : "\(report.found) from the text cache, \(report.computed) encoded"
        } ?? "encoded"
        log("vocabulary: \(vocabulary.classes.count) classes, \(vocabulary.synonyms.count) synonyms, \(text) in \(elapsed(since: textStart))")
        if isVideo {
            let status: Int32
            do {
                status = try video.run(input: images[0], out: out, task: task, segmenter: segmenter, vocabulary: vocabulary)
            } catch {
                throw CLIError(String(describing: error))
            }
            if status != 0 { throw ExitCode(status) }
            return
        }

        var failures = 0
        var usedNames: Set<String> = []
        for (index, path) in images.enumerated() {
            let start = ContinuousClock.now
            do {
                let image = try ImageDecoder.decode(path: path)
                let trace = dumpTensors == nil ? nil : TensorTrace()
                let result = segmenter.segment(image, vocabulary: vocabulary, trace: trace)
                let name = uniqueName(for: path, used: &usedNames)
                let segments = try writeOutputs(result, image: image, vocabulary: vocabulary, name: name, frame: index)
                if let trace, let dumpTensors { try dump(trace, to: dumpTensors) }
                log("[\(index + 1)/\(images.count)] \(path): \(image.width)x\(image.height), \(segments) segments, \(elapsed(since: start)) → \(out)/\(name).*")
            } catch {
                failures += 1
                log("[\(index + 1)/\(images.count)] \(path): skipped: \(error)")
            }
        }
        if failures > 0 {
            log("\(failures) of \(images.count) images failed")
            throw ExitCode(1)
        }
    }

    /// Writes the PNGs and the JSON record; returns the number of segments.
    private func writeOutputs(_ result: Segmentation, image: RGBImage, vocabulary: Vocabulary, name: String, frame: Int) throws -> Int {
        let base = (out as NSString).appendingPathComponent(name)
        let (w, h) = (result.width, result.height)
        if let panoptic = result.panoptic {
            try PNGEncoder.write(width: w, height: h, channels: 3, pixels: PanopticPNG.rgb(ids: panoptic.ids, width: w, height: h),
                                 to: base + ".panoptic.png")
        }
        if let semantic = SemanticPNG.labels(segmentation: result) {
            switch semantic {
            case .gray8(let px): try PNGEncoder.write(width: w, height: h, channels: 1, pixels: px, to: base + ".semantic.png")
            case .gray16(let px): try PNGEncoder.write(width: w, height: h, channels: 1, pixels: px, to: base + ".semantic.png")
            }
        }
        let overlay = Overlay.render(image: image, segmentation: result, vocabulary: vocabulary)
        try PNGEncoder.write(width: overlay.width, height: overlay.height, channels: 3, pixels: overlay.pixels, to: base + ".overlay.png")
        let record = FrameRecord(segmentation: result, vocabulary: vocabulary,
                                 metadata: FrameMetadata(stream: name, frame: frame, pts: 0))
        try AtomicFileWriter.write(Array((record.jsonLine() + "\n").utf8), to: base + ".json")
        return record.segments.count
    }

    private func dump(_ trace: TensorTrace, to path: String) throws {
        var writer = SafeTensorsWriter(metadata: ["producer": "segd \(VersionInfo.segd)", "layout": "fixture names and layouts (NCHW maps)"])
        for name in trace.names {
            if let t = trace.tensor(name) { try writer.add(name, t) }
        }
        try writer.write(to: path)
        log("wrote \(trace.names.count) tensors to \(path)")
    }

    /// The image's file name without extension, made unique among this run's outputs.
    private func uniqueName(for path: String, used: inout Set<String>) -> String {
        let stem = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        var name = stem.isEmpty ? "image" : stem
        var n = 2
        while used.contains(name) { name = "\(stem)-\(n)"; n += 1 }
        used.insert(name)
        return name
    }

    private func log(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }

    private func elapsed(since start: ContinuousClock.Instant) -> String {
        let d = ContinuousClock.now - start
        return String(format: "%.2f s", Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18)
    }
}
