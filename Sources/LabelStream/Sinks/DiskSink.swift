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
/// The PNGs are written atomically (temporary name, then `rename`) and before the frame's
/// line, so a reader that sees a line finds its PNGs complete. Errors are
/// `MediaError.writeFailed` naming the path and what to do (directory not writable, disk full).
/// After a failed `write`, `finish()` still closes and flushes everything it can.
public final class DiskSink: FrameSink {
    /// The output directory.
    public let directory: String
    public let options: DiskSinkOptions
    /// `directory/labels.jsonl`.
    public var labelsPath: String { directory + "/labels.jsonl" }
    /// `directory/panoptic`.
    public var panopticDirectory: String { directory + "/panoptic" }
    /// `directory/semantic`.
    public var semanticDirectory: String { directory + "/semantic" }
    /// `directory/overlay.mp4`.
    public var overlayPath: String { directory + "/overlay.mp4" }
    /// Frames whose line was written.
    public private(set) var framesWritten = 0

    private let labels: LineFile
    private var encoder: VideoEncoder?
    private var lastSync = ContinuousClock.now
    private var finished = false

    /// Creates `directory` (and missing parents) and the subdirectories the options need, and
    /// creates (or truncates) `labels.jsonl`. Throws `MediaError.writeFailed` naming the path.
    public init(directory: String, options: DiskSinkOptions = DiskSinkOptions()) throws {
        var trimmed = directory
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed.removeLast() }
        self.directory = trimmed.isEmpty ? "." : trimmed
        self.options = options
        try DiskSinkFiles.makeDirectory(self.directory)
        if options.panoptic { try DiskSinkFiles.makeDirectory(self.directory + "/panoptic") }
        if options.semantic { try DiskSinkFiles.makeDirectory(self.directory + "/semantic") }
        labels = try LineFile(path: self.directory + "/labels.jsonl")
    }

    deinit {
        if !finished { try? finish() }
    }

    /// The PNG path of `frame` under `subdirectory` (`panoptic` or `semantic`).
    public func pngPath(_ subdirectory: String, frame: Int) -> String {
        "\(directory)/\(subdirectory)/\(DiskSinkFiles.frameName(frame)).png"
    }

    /// Writes the frame's PNGs, its overlay frame, then its line. Throws `MediaError.writeFailed`.
    public func write(_ output: FrameOutput) throws {
        guard !finished else { throw MediaError.writeFailed(path: directory, reason: "the sink is finished; nothing more can be written") }
        do {
            try writeDense(output)
            if options.overlay { try writeOverlay(output) }
            try labels.append(output.record.jsonLine() + "\n")
        } catch {
            throw DiskSinkFiles.withAdvice(error)
        }
        framesWritten += 1
        if let interval = options.syncInterval {
            let now = ContinuousClock.now
            if now - lastSync >= .nanoseconds(Int64(max(0, interval) * 1e9)) {
                try labels.sync()
                lastSync = now
            }
        }
    }

    /// Finishes the overlay video and syncs and closes `labels.jsonl`. Idempotent; closes
    /// everything even when a step fails, then throws the first failure.
    public func finish() throws {
        guard !finished else { return }
        finished = true
        var failure: Error?
        do { try encoder?.finish() } catch { failure = DiskSinkFiles.withAdvice(error) }
        encoder = nil
        do { try labels.close() } catch { failure = failure ?? error }
        syncDirectory(directory)
        if let failure { throw failure }
    }

    private func writeDense(_ output: FrameOutput) throws {
        let s = output.segmentation, w = s.width, h = s.height
        guard w > 0, h > 0 else { return }
        let frame = output.record.frame
        if options.panoptic, let panoptic = s.panoptic {
            try PNGEncoder.write(width: w, height: h, channels: 3, pixels: PanopticPNG.rgb(ids: panoptic.ids, width: w, height: h),
                                 to: pngPath("panoptic", frame: frame))
        }
        if options.semantic, let semantic = SemanticPNG.labels(segmentation: s) {
            let path = pngPath("semantic", frame: frame)
            switch semantic {
            case .gray8(let px): try PNGEncoder.write(width: w, height: h, channels: 1, pixels: px, to: path)
            case .gray16(let px): try PNGEncoder.write(width: w, height: h, channels: 1, pixels: px, to: path)
            }
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
