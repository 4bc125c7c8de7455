import FCCLIP

/// Decides, frame by frame, whether the last full frame's segmentation can stand for this one
/// (`ReuseOptions`): the change since that frame (the scene-cut detector's thumbnail
/// difference) is below the threshold, the full frame is young enough, and nothing broke in
/// between (vocabulary, timestamps, frame size). Used on the inference queue only.
struct ReuseGate {
    let options: ReuseOptions
    private var last: (thumbnail: [Float], frame: Int, pts: Double, processed: Int, vocabVersion: Int, segmentation: Segmentation)?
    /// Processed frames so far (full and carried).
    private var processed = 0
    /// The thumbnail of the frame `carried` was last asked about.
    private var thumbnail: [Float] = []

    init(options: ReuseOptions) {
        self.options = options
    }

    /// The segmentation to carry to this frame, or nil when the model must run on it.
    mutating func carried(_ image: RGBImage, frame: Int, pts: Double, vocabVersion: Int, discontinuity: Bool) -> Segmentation? {
        processed += 1
        guard options.mode == .gate else { return nil }
        thumbnail = SceneCutDetector.thumbnail(image, dense: true)
        guard let last, !discontinuity, last.vocabVersion == vocabVersion,
              last.segmentation.width == image.width, last.segmentation.height == image.height,
              pts - last.pts < options.maxIntervalSeconds,
              options.maxIntervalFrames <= 0 || processed - last.processed < options.maxIntervalFrames,
              let change = SceneCutDetector.difference(last.thumbnail, thumbnail),
              change < options.threshold
        else { return nil }
        return last.segmentation
    }

    /// Remembers the model's (untracked) result on the full frame `carried` was last asked about.
    mutating func ranModel(frame: Int, pts: Double, vocabVersion: Int, segmentation: Segmentation) {
        guard options.mode == .gate else { return }
        last = (thumbnail, frame, pts, processed, vocabVersion, segmentation)
    }
}
