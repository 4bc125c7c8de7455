import Tensor

/// The result of FC-CLIP post-processing for one image, at the original image size
/// `height × width` (spec §8.4). Every map is row-major (`index = y·width + x`).
///
/// Class indices are the vocabulary's (0-based, in vocabulary order); the void class of the
/// model never appears in the outputs. Which parts are present depends on
/// `PostProcessingOptions` (`semantic`, `panoptic`, `instances`).
public struct Segmentation: Sendable {
    public let height: Int, width: Int
    /// Number of classes C in the vocabulary used.
    public let classCount: Int
    public var semantic: SemanticSegmentation?
    public var panoptic: PanopticSegmentation?
    /// Instances (thing classes only when panoptic output is on), highest score first.
    public var instances: [Instance]?
    /// `[Q, D]` the decoder's query embeddings (`MaskDecoderOutput.queryEmbeddings`); row
    /// `Segment.query` / `Instance.query` describes that segment. Nil when not produced.
    public var queryEmbeddings: Tensor?

    public init(height: Int, width: Int, classCount: Int, semantic: SemanticSegmentation? = nil,
                panoptic: PanopticSegmentation? = nil, instances: [Instance]? = nil) {
        self.height = height
        self.width = width
        self.classCount = classCount
        self.semantic = semantic
        self.panoptic = panoptic
        self.instances = instances
    }
}

/// `semantic_inference` (spec §8.1): per-pixel class scores `Σ_q P[q, c]·sigmoid(mask_q)`.
public struct SemanticSegmentation: @unchecked Sendable {
    /// `[H·W]` argmax class per pixel (first class on ties, as `torch.argmax`).
    public var labels: [Int32]
    /// `[H·W]` the winning class's score (not a calibrated probability: scores of a pixel need
    /// not sum to 1).
    public var maxScores: [Float]
    /// `[C, H, W]` every class's score (the official `sem_seg` output), only when
    /// `PostProcessingOptions.keepSemanticScores` is set: it costs C·H·W floats
    /// (1.1 GB for 133 classes at 2048×1024).
    public var scores: Tensor?
}

/// `panoptic_inference` (spec §8.2).
public struct PanopticSegmentation: Sendable {
    /// `[H·W]` segment id per pixel; 0 = void / unlabeled, otherwise `segments[i].id`.
    public var ids: [Int32]
    /// Segments in id order (ids 1, 2, …), as the official `segments_info`.
    public var segments: [Segment]

    public init(ids: [Int32], segments: [Segment]) {
        self.ids = ids
        self.segments = segments
    }
}

/// One panoptic segment. Stuff segments of one class are merged into one (the first query's).
public struct Segment: Sendable, Equatable {
    /// The id written into `PanopticSegmentation.ids` (starts at 1).
    public var id: Int32
    /// Class index (`category_id`, contiguous).
    public var category: Int
    /// Whether the class is a thing (`isthing`).
    public var isThing: Bool
    /// Class probability of the query that created the segment (`max softmax(mask_cls)`).
    public var score: Float
    /// The query that created the segment.
    public var query: Int
    /// Pixels carrying `id` in the final map (after stuff merging).
    public var area: Int

    public init(id: Int32, category: Int, isThing: Bool, score: Float, query: Int, area: Int) {
        self.id = id
        self.category = category
        self.isThing = isThing
        self.score = score
        self.query = query
        self.area = area
    }
}

/// One `instance_inference` detection (spec §8.3). Boxes are not produced (the official code
/// fills zeros).
public struct Instance: Sendable, Equatable {
    /// Class index.
    public var category: Int
    /// Class probability × mean sigmoid inside the mask (`scores`).
    public var score: Float
    /// The class probability alone (`softmax(mask_cls)[q, c]`).
    public var classScore: Float
    /// The query the detection comes from (several classes of one query share its mask).
    public var query: Int
    /// `mask_logit > 0` at the output size (`pred_masks`).
    public var mask: BinaryMask
}
