/// One label-stream record: the segments of one processed frame (design.md, "Label stream").
///
/// `Codable` with the design's key names (`vocab_version`, `dropped_before`, `isthing`), so
/// `JSONDecoder` reads a line back. To *write* a line use `jsonLine()` (FrameRecord+JSON.swift),
/// which emits the keys in the design's order; `JSONEncoder` would produce valid JSON with the
/// same keys in another order.
public struct FrameRecord: Codable, Sendable, Equatable {
    /// The stream's configured name.
    public var stream: String
    /// Decoded frames since the start of the stream (0-based).
    public var frame: Int
    /// Presentation time in seconds.
    public var pts: Double
    /// False when the frame's features were propagated rather than computed.
    public var keyframe: Bool
    /// Version of the vocabulary the labels come from (bumped on every vocabulary change).
    public var vocabVersion: Int
    /// Source image size in pixels (the size of every `rle`).
    public var width: Int
    public var height: Int
    /// Records this reader missed just before this one (always 0 on disk).
    public var droppedBefore: Int
    public var segments: [SegmentRecord]
    /// `true` on the first record after the source's timestamps went back or jumped ahead
    /// (`pts` was re-based to keep increasing); nil otherwise, and the key is then absent.
    public var discontinuity: Bool?
    /// The source's own time of the frame, in seconds, on a record with `discontinuity`
    /// (`pts − source_pts` is the offset applied from this record until the next discontinuity);
    /// nil otherwise.
    public var sourcePTS: Double?
    /// `"frame"`: tells records from the object events (`TrackEvent`, `"event"`) that share the
    /// socket. Always written by `jsonLine()`; nil when a line without it (an older segd's) was read.
    public var type: String?
    /// How the frame's result was obtained (`FrameReuse`'s raw values: `"full"`, `"carried"`);
    /// nil (absent) when the stream does not gate frames.
    public var reuse: String?

    public init(stream: String, frame: Int, pts: Double, keyframe: Bool, vocabVersion: Int,
                width: Int, height: Int, droppedBefore: Int = 0, segments: [SegmentRecord],
                discontinuity: Bool? = nil, sourcePTS: Double? = nil, type: String? = "frame",
                reuse: String? = nil) {
        self.stream = stream
        self.frame = frame
        self.pts = pts
        self.keyframe = keyframe
        self.vocabVersion = vocabVersion
        self.width = width
        self.height = height
        self.droppedBefore = droppedBefore
        self.segments = segments
        self.discontinuity = discontinuity
        self.sourcePTS = sourcePTS
        self.type = type
        self.reuse = reuse
    }

    /// The design's key order; `jsonLine()` writes them in this order. Keys added after the
    /// design's (`discontinuity`, `source_pts`, `type`, `reuse`) come last and only when set.
    public enum CodingKeys: String, CodingKey, CaseIterable {
        case stream, frame, pts, keyframe
        case vocabVersion = "vocab_version"
        case width, height
        case droppedBefore = "dropped_before"
        case segments
        case discontinuity
        case sourcePTS = "source_pts"
        case type
        case reuse
    }
}

/// One segment of a `FrameRecord`.
public struct SegmentRecord: Codable, Sendable, Equatable {
    /// The segment's id in the frame's panoptic PNG (0 is never used: void).
    public var id: Int
    /// The class's display label (its first synonym).
    public var label: String
    /// The class index in the vocabulary (0-based, vocabulary order).
    public var category: Int
    public var isThing: Bool
    /// The model's score for the segment (see `FrameRecord(segmentation:…)`).
    public var score: Double
    /// Pixels in the mask.
    public var area: Int
    /// `[x, y, width, height]` in source pixels, as `pycocotools.mask.toBbox`.
    public var bbox: [Int]
    public var rle: RLERecord
    /// Frames since the segment's track started (`frame` − the track's first frame; 0 on its
    /// first frame); nil (absent) when the stream is not tracked.
    public var trackAge: Int?

    public init(id: Int, label: String, category: Int, isThing: Bool, score: Double,
                area: Int, bbox: [Int], rle: RLERecord, trackAge: Int? = nil) {
        self.id = id
        self.label = label
        self.category = category
        self.isThing = isThing
        self.score = score
        self.area = area
        self.bbox = bbox
        self.rle = rle
        self.trackAge = trackAge
    }

    /// The design's key order; `jsonLine()` writes them in this order (`track_age`, added
    /// later, last and only when set).
    public enum CodingKeys: String, CodingKey, CaseIterable {
        case id, label, category
        case isThing = "isthing"
        case score, area, bbox, rle
        case trackAge = "track_age"
    }
}

/// COCO's compressed RLE object: `pycocotools.mask.decode({"size": size, "counts": counts})`.
public struct RLERecord: Codable, Sendable, Equatable {
    /// `[height, width]`.
    public var size: [Int]
    /// The compressed counts string.
    public var counts: String

    public init(size: [Int], counts: String) {
        self.size = size
        self.counts = counts
    }

    public init(_ rle: COCORLE) {
        self.init(size: rle.size, counts: rle.string)
    }

    /// The RLE this object describes (throws `COCORLEError` when malformed).
    public func decoded() throws -> COCORLE {
        guard size.count == 2 else { throw COCORLEError.badSize(height: size.first ?? -1, width: -1) }
        return try COCORLE(height: size[0], width: size[1], string: counts)
    }

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case size, counts
    }
}
