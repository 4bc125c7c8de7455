import CLIP
import FCCLIP
import Foundation
import Pipeline

/// Shares one model between streams fairly: each inference takes a turn in arrival order
/// (a ticket lock), and the model runs one frame at a time using every core. Since a live
/// stream has at most one frame waiting (newest wins), waiting streams are served round-robin:
/// a stream with a high frame rate gets one turn per round like every other, it cannot starve
/// them. Text embeddings are cached by the model per vocabulary, so streams with the same
/// vocabulary share them.
public final class ModelArbiter: @unchecked Sendable {
    public let segmenter: Segmenter
    private let condition = NSCondition()
    private var nextTicket = 0
    private var serving = 0

    public init(segmenter: Segmenter) {
        self.segmenter = segmenter
    }

    /// Runs `body` when it is this caller's turn (callers are served in arrival order).
    public func withTurn<T>(_ body: () -> T) -> T {
        condition.lock()
        let ticket = nextTicket
        nextTicket += 1
        while serving != ticket { condition.wait() }
        condition.unlock()
        defer {
            condition.lock()
            serving += 1
            condition.broadcast()
            condition.unlock()
        }
        return body()
    }

    /// One stream's view of the shared model: its input size (nil = the bundle's) and the
    /// post-processing its task needs (nil = the segmenter's options).
    public func model(inputSize: Int?, inputMaxSize: Int?, options: PostProcessingOptions? = nil) -> any FrameSegmenting {
        let input = segmenter.config.input
        guard inputSize != nil || inputMaxSize != nil else {
            return StreamModel(arbiter: self, preprocessor: nil, options: options)
        }
        // Keep the bundle's long/short ratio unless a long side is given.
        let (short, long) = StreamConfig.modelInputBounds(inputSize: inputSize, inputMaxSize: inputMaxSize, input)
        return StreamModel(arbiter: self, preprocessor: segmenter.preprocessor(shortSide: short, maxSide: long), options: options)
    }
}

/// A stream's handle on the shared model.
final class StreamModel: FrameSegmenting, @unchecked Sendable {
    let arbiter: ModelArbiter
    let preprocessor: ImagePreprocessor?
    let options: PostProcessingOptions?

    init(arbiter: ModelArbiter, preprocessor: ImagePreprocessor?, options: PostProcessingOptions?) {
        self.arbiter = arbiter
        self.preprocessor = preprocessor
        self.options = options
    }

    func segment(_ image: RGBImage, vocabulary: Vocabulary) -> Segmentation {
        arbiter.withTurn {
            arbiter.segmenter.segment(image, vocabulary: vocabulary, preprocessor: preprocessor, options: options)
        }
    }

    func prepare(vocabulary: Vocabulary) {
        arbiter.withTurn { arbiter.segmenter.prepare(vocabulary: vocabulary) }
    }
}
