#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CLIP
import FCCLIP
import Media

/// What a `DiskSink` writes besides `labels.jsonl`.
public struct DiskSinkOptions: Sendable {
    /// `panoptic/NNNNNN.png`: the COCO panoptic PNG of each frame that has panoptic output.
    public var panoptic = true
    /// `semantic/NNNNNN.png`: the class index per pixel (`SemanticPNG`; 8-bit, or 16-bit above
    /// 255 classes) of each frame with semantic or panoptic output.
    public var semantic = false
    /// `overlay.mp4`: the frames with coloured masks (`Overlay.render`), H.264 (`VideoEncoder`).
    public var overlay = false
    /// When set, `labels.jsonl` is `fsync`ed after a line whenever this many seconds have passed
    /// since the last sync (0: after every line). `finish()` always syncs.
    public var syncInterval: Double? = nil
    /// How the overlay frames are drawn.
    public var overlayStyle = Overlay.Options()
    /// The overlay video's expected frame rate (sets its keyframe interval; timestamps come
    /// from the records).
    public var overlayFrameRateHint: Double = 25

    public init() {}
}

/// Writes the label stream and the dense outputs of each frame into a directory:
///
/// - `events.jsonl`: the object events (`TrackEvent.jsonLine()`), each frame's after its line
///   in `labels.jsonl`, the stream's last `end`s at `finish` (empty when the stream is not
///   tracked); written like `labels.jsonl`.
/// - `labels.jsonl`: one `FrameRecord.jsonLine()` per frame, in call order. The file is
///   created afresh (truncated) by `init`, opened with `O_APPEND`, and each line is written
///   with a single `write(2)` (continued only after a short write or EINTR). A process that
///   crashes or is killed therefore leaves whole lines only, except in the rare case where the
///   kernel completed part of a write (a line larger than a page being written when SIGKILL
///   arrives, or a disk that fills up mid-line: then the sink truncates the partial line away
///   if it is still alive). Readers of a file that may be incomplete should ignore a last line
///   without its `\n`. `fsync` at `finish()`, and every `syncInterval` seconds when set.
/// - `panoptic/NNNNNN.png` (NNNNNN = `record.frame` zero-padded to 6 digits, more when it is
///   larger): COCO panoptic ids (`PanopticPNG`), when the segmentation has panoptic output and
///   `options.panoptic`.
/// - `semantic/NNNNNN.png` (`SemanticPNG.labels(segmentation:)`) when `options.semantic`.
/// - `overlay.mp4` when `options.overlay`: each frame drawn by `Overlay.render`, shown at
///   `record.pts` (fragmented MP4: playable even if the process dies; see `VideoEncoder`). The
///   video is created at the first frame with that frame's size; a later frame of another size
///   is scaled (nearest neighbour, aspect ratio kept) and centred on black to fit it.
///
/// A frame's PNGs are written atomically (temporary name, then `rename`) before its line, so a
/// reader that sees a line finds its PNGs complete; its overlay frame comes after the line.
/// Errors are `MediaError.writeFailed` naming the path and what to do (directory not
/// writable, disk full).
///
/// **Failures** (a full disk): a `write` that fails removes the PNGs it had written for that
/// frame when its line could not be written, so every PNG keeps its line and every line stays
/// whole. `finish()` then closes what it can without reporting the same failure again: when the
/// overlay cannot be completed, `overlay.mp4` is cut back to its last complete fragment (or
/// removed when it has none) and `notes` says so.
///
/// **Reusing a folder.** `init` replaces a previous run's outputs in `directory`: it reports in
/// `notes` what a killed run left inconsistent (a torn last line, PNGs without their line; see
/// `recover(directory:)`), then removes the previous run's PNGs and temporaries, since the
/// new `labels.jsonl` has no line for them. `recover(directory:)` repairs a folder in place
/// without replacing it (the daemon's earlier segment folders).
public final class DiskSink: FrameSink {
    /// The output directory.
    public let directory: String
    public let options: DiskSinkOptions
    /// `directory/labels.jsonl`.
    public var labelsPath: String { directory + "/labels.jsonl" }
    /// `directory/events.jsonl`.
    public var eventsPath: String { directory + "/events.jsonl" }
    /// `directory/panoptic`.
    public var panopticDirectory: String { directory + "/panoptic" }
    /// `directory/semantic`.
    public var semanticDirectory: String { directory + "/semantic" }
    /// `directory/overlay.mp4`.
    public var overlayPath: String { directory + "/overlay.mp4" }
    /// Frames whose line was written.
    public private(set) var framesWritten = 0
    /// What the sink found or did that a user should hear about, one sentence each: a previous
    /// run's outputs replaced (at `init`), an overlay cut back after a failure (at `finish`).
    public private(set) var notes: [String] = []

    private let labels: LineFile
    private let events: LineFile
    private var encoder: VideoEncoder?
    private var lastSync = ContinuousClock.now
    private var finished = false
    /// A `write` failed: `finish` still closes everything but does not report the same cause again.
    private var failed = false

    /// Creates `directory` (and missing parents) and the subdirectories the options need, and
    /// creates (or truncates) `labels.jsonl`. Throws `MediaError.writeFailed` naming the path.
    public init(directory: String, options: DiskSinkOptions = DiskSinkOptions()) throws {
        var trimmed = directory
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed.removeLast() }
        self.directory = trimmed.isEmpty ? "." : trimmed
        self.options = options
        try DiskSinkFiles.makeDirectory(self.directory)
        if let note = try Self.replacePreviousRun(in: self.directory) { notes.append(note) }
        if options.panoptic { try DiskSinkFiles.makeDirectory(self.directory + "/panoptic") }
        if options.semantic { try DiskSinkFiles.makeDirectory(self.directory + "/semantic") }
        labels = try LineFile(path: self.directory + "/labels.jsonl")
        events = try LineFile(path: self.directory + "/events.jsonl")
    }

    deinit {
        if !finished { try? finish() }
    }

    /// The PNG path of `frame` under `subdirectory` (`panoptic` or `semantic`).
    public func pngPath(_ subdirectory: String, frame: Int) -> String {
        "\(directory)/\(subdirectory)/\(DiskSinkFiles.frameName(frame)).png"
    }

    /// Writes the frame's PNGs, its line, then its overlay frame. Throws `MediaError.writeFailed`;
    /// when the line could not be written, the frame's PNGs are removed again.
    public func write(_ output: FrameOutput) throws {
        guard !finished else { throw MediaError.writeFailed(path: directory, reason: "the sink is finished; nothing more can be written") }
        var written: [String] = []
        do {
            try writeDense(output, written: &written)
            try labels.append(output.record.jsonLine() + "\n")
        } catch {
            // The frame has no line: its PNGs must not stay behind without one.
            for path in written { try? DiskSinkFiles.remove(path) }
            failed = true
            throw DiskSinkFiles.withAdvice(error)
        }
        framesWritten += 1
        try write(events: output.events)
        if options.overlay {
            do { try writeOverlay(output) } catch {
                failed = true
                throw DiskSinkFiles.withAdvice(error)
            }
        }
        if let interval = options.syncInterval {
            let now = ContinuousClock.now
            if now - lastSync >= .nanoseconds(Int64(max(0, interval) * 1e9)) {
                try labels.sync()
                lastSync = now
            }
        }
    }

    /// Appends object events to `events.jsonl` (one `TrackEvent.jsonLine()` each, all of them
    /// in one `write(2)`), after the line of the frame they belong to.
    public func write(events list: [TrackEvent]) throws {
        guard !list.isEmpty else { return }
        guard !finished else { throw MediaError.writeFailed(path: directory, reason: "the sink is finished; nothing more can be written") }
        do {
            try events.append(list.map { $0.jsonLine() + "\n" }.joined())
        } catch {
            failed = true
            throw DiskSinkFiles.withAdvice(error)
        }
    }

    /// Finishes the overlay video and syncs and closes `labels.jsonl` and `events.jsonl`. Idempotent; closes
    /// everything even when a step fails, then throws the first failure — unless a `write`
    /// failed before, which was reported then: a failure of the same cause here only shows in
    /// `notes`. An overlay that cannot be completed is cut back to its last complete fragment.
    public func finish() throws {
        guard !finished else { return }
        finished = true
        var failure: Error?
        if let encoder {
            do { try encoder.finish() } catch {
                if !failed { failure = DiskSinkFiles.withAdvice(error) }
                notes.append(cutBackOverlay(encoder))
            }
        }
        encoder = nil
        do { try labels.close() } catch { if !failed { failure = failure ?? error } }
        do { try events.close() } catch { if !failed { failure = failure ?? error } }
        syncDirectory(directory)
        if let failure { throw failure }
    }

    /// Drops a partial fragment from `overlay.mp4` after a failed write: cuts the file back to
    /// the end of its last complete fragment, or removes it when it has none. Returns the note.
    private func cutBackOverlay(_ encoder: VideoEncoder) -> String {
        let missing = framesWritten - encoder.framesCommitted
        if encoder.framesCommitted == 0 {
            try? DiskSinkFiles.remove(overlayPath)
            return "\(overlayPath): removed: it could not be completed and held no complete fragment"
        }
        if truncate(overlayPath, off_t(encoder.committedBytes)) != 0 {
            return "\(overlayPath): could not be completed, and cutting it back failed (\(DiskSinkFiles.describe(errno))): its last fragment may be partial"
        }
        return "\(overlayPath): could not be completed; cut back to its last complete fragment: "
            + "\(encoder.framesCommitted) frames, the last \(missing) frame\(missing == 1 ? "" : "s") with a line \(missing == 1 ? "is" : "are") not in it"
    }

    /// Before a new run replaces `labels.jsonl` in `directory`: repairs what an earlier run
    /// left (reporting a kill's traces), then removes the earlier run's PNGs, which the new
    /// file will have no line for. Returns the note, nil when there was no earlier run.
    static func replacePreviousRun(in directory: String) throws -> String? {
        let hadLabels = access(directory + "/labels.jsonl", F_OK) == 0
        let old = ["panoptic", "semantic"].flatMap { sub in DiskSinkFiles.pngEntries(directory + "/" + sub).map { sub + "/" + $0.name } }
        guard hadLabels || !old.isEmpty else { return nil }
        let recovery = try recover(directory: directory)
        var removed = 0
        for path in old where !recovery.orphanPNGs.contains(path) {
            if access(directory + "/" + path, F_OK) == 0 { try DiskSinkFiles.remove(directory + "/" + path); removed += 1 }
        }
        var note = "\(directory): replacing an earlier run's outputs (\(recovery.lines) lines, \(removed) PNGs removed)"
        if !recovery.isClean { note += "; that run was cut short: " + recovery.repairs.joined(separator: "; ") }
        return note
    }

    private func writeDense(_ output: FrameOutput, written: inout [String]) throws {
        let s = output.segmentation, w = s.width, h = s.height
        guard w > 0, h > 0 else { return }
        let frame = output.record.frame
        if options.panoptic, let panoptic = s.panoptic {
            let path = pngPath("panoptic", frame: frame)
            try PNGEncoder.write(width: w, height: h, channels: 3, pixels: PanopticPNG.rgb(ids: panoptic.ids, width: w, height: h),
                                 to: path)
            written.append(path)
        }
        if options.semantic, let semantic = SemanticPNG.labels(segmentation: s) {
            let path = pngPath("semantic", frame: frame)
            switch semantic {
            case .gray8(let px): try PNGEncoder.write(width: w, height: h, channels: 1, pixels: px, to: path)
            case .gray16(let px): try PNGEncoder.write(width: w, height: h, channels: 1, pixels: px, to: path)
            }
            written.append(path)
        }
    }

    private func writeOverlay(_ output: FrameOutput) throws {
        var picture = Overlay.render(image: output.image, segmentation: output.segmentation,
                                     vocabulary: output.vocabulary, options: options.overlayStyle)
        if encoder == nil {
            encoder = try VideoEncoder(path: overlayPath, width: picture.width, height: picture.height,
                                       frameRateHint: options.overlayFrameRateHint)
        }
        guard let encoder else { return }
        if picture.width != encoder.width || picture.height != encoder.height {
            picture = Letterbox.fit(picture, width: encoder.width, height: encoder.height)
        }
        try encoder.append(picture, pts: output.record.pts)
    }
}

/// Fits a picture into another size: scaled by nearest neighbour with its aspect ratio kept,
/// centred, the rest black.
enum Letterbox {
    static func fit(_ image: RGBImage, width W: Int, height H: Int) -> RGBImage {
        // Scale factor min(W/w, H/h), in integers.
        let w = image.width, h = image.height
        let (sw, sh) = W * h <= H * w ? (W, max(1, (h * W + w / 2) / w)) : (max(1, (w * H + h / 2) / h), H)
        let x0 = (W - min(sw, W)) / 2, y0 = (H - min(sh, H)) / 2
        var pixels = [UInt8](repeating: 0, count: W * H * 3)
        for y in 0..<min(sh, H) {
            let sy = min(h - 1, y * h / sh)
            for x in 0..<min(sw, W) {
                let sx = min(w - 1, x * w / sw)
                let s = (sy * w + sx) * 3, d = ((y0 + y) * W + x0 + x) * 3
                pixels[d] = image.pixels[s]; pixels[d + 1] = image.pixels[s + 1]; pixels[d + 2] = image.pixels[s + 2]
            }
        }
        return try! RGBImage(width: W, height: H, pixels: pixels)
    }
}
