import CLIP
import FCCLIP

/// What the pipeline needs of a model: one frame and a vocabulary in, a `Segmentation` at the
/// frame's own size out. `FCCLIP.Segmenter` is the real one; tests plug in others (a slow one,
/// one that fails) to exercise the stages without a model's cost.
///
/// Called from one inference queue at a time; an implementation may use every core inside.
public protocol FrameSegmenting: AnyObject, Sendable {
    /// Segments `image` into the classes of `vocabulary`, in the image's coordinates.
    func segment(_ image: RGBImage, vocabulary: Vocabulary) -> Segmentation
    /// Does the once-per-vocabulary work (text embeddings) ahead of the first frame.
    func prepare(vocabulary: Vocabulary)
}

extension Segmenter: FrameSegmenting {
    public func segment(_ image: RGBImage, vocabulary: Vocabulary) -> Segmentation {
        segment(image, vocabulary: vocabulary, trace: nil)
    }

    public func prepare(vocabulary: Vocabulary) {
        _ = classifier(for: vocabulary)
    }
}
