import Foundation
import CLIP
import ModelIO
import Tensor

/// FC-CLIP end to end: an RGB image and a vocabulary in, a `Segmentation` out (spec §1).
///
///     image ─► preprocess ─► ConvNeXt trunk ─► pixel decoder ─► mask decoder ─► in-vocab logits
///                                  │                                   │
///                                  └─ clip_vis_dense ─► mask pooling ─► CLIP head ─► out-vocab logits
///                                                                      geometric ensemble ─► post-processing
///
/// Text classifiers are computed once per vocabulary and kept in memory (the text encoder costs
/// one pass per prompt); with a `textCache`, each synonym's embedding is also kept on disk and
/// shared with other processes and later starts. Every stage can record its intermediates into a `TensorTrace` under the
/// golden fixtures' names.
public final class Segmenter: @unchecked Sendable {
    public let config: ModelConfig
    public let clip: CLIPModel
    public let preprocessor: ImagePreprocessor
    public let pixelDecoder: PixelDecoder
    public let maskDecoder: MaskDecoder
    /// Post-processing settings; defaults come from the bundle's `inference` section.
    public var options: PostProcessingOptions

    private let lock = NSLock()
    private var classifiers: [Vocabulary: TextClassifier] = [:]
    private var textBuilder: CachedTextClassifierBuilder

    /// Loads every part of the model from `bundle`; fails with an error naming the first
    /// missing or mis-shaped tensor.
    public init(bundle: ModelBundle) throws {
        config = bundle.config
        clip = try CLIPModel(bundle: bundle)
        preprocessor = ImagePreprocessor(config: config.input)
        pixelDecoder = try PixelDecoder(bundle.weights.scoped("sem_seg_head.pixel_decoder"), config: config)
        maskDecoder = try MaskDecoder(bundle.weights.scoped("sem_seg_head.predictor"), config: config)
        options = PostProcessingOptions(config.inference)
        textBuilder = CachedTextClassifierBuilder(model: clip, cache: nil)
    }

    /// The on-disk cache of synonym embeddings that classifiers are built from (nil, the
    /// default: computed in memory only). Set it before the first classifier; the digest of the
    /// text tower that keys its entries is computed once, on first use.
    public var textCache: TextEmbeddingCache? {
        get {
            lock.lock()
            defer { lock.unlock() }
            return textBuilder.cache
        }
        set {
            lock.lock()
            defer { lock.unlock() }
            textBuilder = CachedTextClassifierBuilder(model: clip, cache: newValue)
        }
    }

    /// The text classifier of `vocabulary`, computed on first use and kept.
    public func classifier(for vocabulary: Vocabulary) -> TextClassifier {
        loadClassifier(for: vocabulary).classifier
    }

    /// `classifier(for:)` with what it took: the report is nil when the classifier was already in memory.
    public func loadClassifier(for vocabulary: Vocabulary) -> (classifier: TextClassifier, report: TextClassifierBuildReport?) {
        lock.lock()
        if let cached = classifiers[vocabulary] {
            lock.unlock()
            return (cached, nil)
        }
        let builder = textBuilder
        lock.unlock()
        let (classifier, report) = builder.classifier(for: vocabulary)
        lock.lock()
        classifiers[vocabulary] = classifier
        lock.unlock()
        return (classifier, report)
    }

    /// Wall-clock seconds spent in each stage of one `segment` call.
    public struct StageTimes: Sendable {
        public var text = 0.0, preprocess = 0.0, backbone = 0.0, pixelDecoder = 0.0, maskDecoder = 0.0
        public var outOfVocabulary = 0.0, postProcess = 0.0
        public var total: Double { text + preprocess + backbone + pixelDecoder + maskDecoder + outOfVocabulary + postProcess }
        public init() {}
    }

    /// Segments `image` into the classes of `vocabulary`, in the image's own coordinates.
    /// `preprocessor` overrides the bundle's input size (`preprocessor(shortSide:maxSide:)`),
    /// `options` the segmenter's `options` (which outputs, thresholds) for this call.
    public func segment(_ image: RGBImage, vocabulary: Vocabulary, preprocessor: ImagePreprocessor? = nil,
                        options: PostProcessingOptions? = nil, trace: TensorTrace? = nil) -> Segmentation {
        timedSegment(image, vocabulary: vocabulary, preprocessor: preprocessor, options: options, trace: trace).segmentation
    }

    /// The bundle's preprocessing with another model input size: the short side resized to
    /// `shortSide` unless the long side would then exceed `maxSide` (detectron2's
    /// `min_size_test` / `max_size_test`). Smaller inputs trade accuracy for speed.
    public func preprocessor(shortSide: Int, maxSide: Int) -> ImagePreprocessor {
        var input = config.input
        input.minSizeTest = shortSide
        input.maxSizeTest = maxSide
        return ImagePreprocessor(config: input)
    }

    /// `segment`, also returning the seconds spent in each stage.
    public func timedSegment(_ image: RGBImage, vocabulary: Vocabulary, preprocessor: ImagePreprocessor? = nil,
                             options: PostProcessingOptions? = nil,
                             trace: TensorTrace? = nil) -> (segmentation: Segmentation, times: StageTimes) {
        var clock = StageClock()
        var times = StageTimes()
        let classifier = classifier(for: vocabulary)
        times.text = clock.lap()
        let input = (preprocessor ?? self.preprocessor)(image)
        times.preprocess = clock.lap()
        trace?.record("input.image_normalized_padded", input.tensor, layout: .nhwc)
        let features = clip.trunk(input.tensor)
        times.backbone = clock.lap()
        if let trace {
            trace.record("backbone.stem", features.stem, layout: .nhwc)
            for (i, r) in features.res.enumerated() { trace.record("backbone.res\(i + 2)", r, layout: .nhwc) }
            trace.record("backbone.clip_vis_dense", features.clipVisDense, layout: .nhwc)
        }
        let pixels = pixelDecoder(features, trace: trace)
        times.pixelDecoder = clock.lap()
        let decoded = maskDecoder(multiScale: pixels.multiScale, maskFeatures: pixels.maskFeatures, classifier: classifier, trace: trace)
        times.maskDecoder = clock.lap()
        let outOfVocabulary = OutOfVocabulary.logits(maskLogits: decoded.maskLogits, clipDense: features.clipVisDense, clip: clip,
                                                     classifier: classifier, logitScaleMax: Float(config.clip.logitScaleMax), trace: trace)
        let ensemble = GeometricEnsemble(inVocabLogits: decoded.classLogits, outVocabLogits: outOfVocabulary.logits,
                                         seen: vocabulary.classes.map(\.seenInCOCO),
                                         alpha: config.inference.alpha, beta: config.inference.beta,
                                         validMask: config.inference.ensembleOnValidMask ? outOfVocabulary.pooling.hasValidMask : nil,
                                         trace: trace)
        times.outOfVocabulary = clock.lap()
        let geometry = SegmentationGeometry(paddedHeight: input.tensor.shape[1], paddedWidth: input.tensor.shape[2],
                                            resizedHeight: input.resizedSize.height, resizedWidth: input.resizedSize.width,
                                            outputHeight: input.originalSize.height, outputWidth: input.originalSize.width)
        var result = PostProcessor.run(maskCls: ensemble.maskClsLog, maskLogits: decoded.maskLogits, geometry: geometry,
                                       isThing: vocabulary.classes.map(\.isThing), options: options ?? self.options, trace: trace)
        result.queryEmbeddings = decoded.queryEmbeddings
        times.postProcess = clock.lap()
        return (result, times)
    }
}

/// Measures consecutive intervals.
struct StageClock {
    private var last = ContinuousClock.now

    /// The seconds since the previous lap; starts a new lap.
    mutating func lap() -> Double {
        let now = ContinuousClock.now
        let d = now - last
        last = now
        return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }
}
