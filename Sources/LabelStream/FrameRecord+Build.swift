import CLIP
import FCCLIP

/// What a record says about a frame besides its segments.
public struct FrameMetadata: Sendable, Equatable {
    public var stream: String
    public var frame: Int
    public var pts: Double
    public var keyframe: Bool
    public var vocabVersion: Int
    public var droppedBefore: Int
    /// The source's timestamps broke (went back or jumped) since the previous record; `pts`
    /// was re-based to continue the timeline.
    public var discontinuity: Bool
    /// The source's own time of this frame, kept when `discontinuity` is set.
    public var sourcePTS: Double?
    /// Whether the model ran on the frame or its result was reused (`reuse`); nil: not said.
    public var reuse: FrameReuse?

    /// `vocabVersion` defaults to 0 for one-shot runs whose vocabulary never changes.
    public init(stream: String, frame: Int, pts: Double, keyframe: Bool = true,
                vocabVersion: Int = 0, droppedBefore: Int = 0, discontinuity: Bool = false, sourcePTS: Double? = nil,
                reuse: FrameReuse? = nil) {
        self.stream = stream
        self.frame = frame
        self.pts = pts
        self.keyframe = keyframe
        self.vocabVersion = vocabVersion
        self.droppedBefore = droppedBefore
        self.discontinuity = discontinuity
        self.sourcePTS = sourcePTS
        self.reuse = reuse
    }
}

extension FrameRecord {
    /// The record of one segmented frame. `width`/`height` are the segmentation's (source) size.
    ///
    /// Segments come from, in order of preference:
    /// - the panoptic output: one record per `segments_info` entry, in id order, `id` = the
    ///   panoptic id (as in the panoptic PNG), `score` = the model's class probability of the
    ///   query; masks from `panoptic.ids == id` (all segments from one pass over the map);
    /// - else the instance output: instances sorted by score, highest first (ties keep the
    ///   model's order), given ids 1…n in that order; `score` = the instance score (class
    ///   probability × mean mask probability). Instance masks may overlap, so these ids do not
    ///   index any PNG;
    /// - else the semantic output: one segment per class present, in class order, ids 1…n,
    ///   `score` = the mean of the winning class score over the class's pixels.
    /// With none of them, `segments` is empty. `label`/`isthing` come from the vocabulary
    /// (a category outside it is labelled "class N"; panoptic segments keep their own `isThing`).
    ///
    /// `trackAges` (track id → frames since the track started, from the pipeline's tracker)
    /// fills each segment's `trackAge` (`track_age`).
    public init(segmentation: Segmentation, vocabulary: Vocabulary, metadata: FrameMetadata, trackAges: [Int32: Int]? = nil) {
        self.init(stream: metadata.stream, frame: metadata.frame, pts: metadata.pts,
                  keyframe: metadata.keyframe, vocabVersion: metadata.vocabVersion,
                  width: segmentation.width, height: segmentation.height,
                  droppedBefore: metadata.droppedBefore,
                  segments: FrameRecord.segments(of: segmentation, vocabulary: vocabulary),
                  discontinuity: metadata.discontinuity ? true : nil,
                  sourcePTS: metadata.discontinuity ? metadata.sourcePTS : nil,
                  reuse: metadata.reuse?.rawValue)
        if let trackAges {
            for i in segments.indices { segments[i].trackAge = trackAges[Int32(clamping: segments[i].id)] }
        }
    }

    /// The segment records of `segmentation` (see `init(segmentation:vocabulary:metadata:)`).
    public static func segments(of segmentation: Segmentation, vocabulary: Vocabulary) -> [SegmentRecord] {
        let h = segmentation.height, w = segmentation.width
        if let panoptic = segmentation.panoptic {
            return segments(panopticIDs: panoptic.ids, height: h, width: w,
                            segments: panoptic.segments.map(PanopticSegmentInfo.init), vocabulary: vocabulary)
        }
        if let instances = segmentation.instances {
            return segments(instances: instances.map(InstanceInfo.init), vocabulary: vocabulary)
        }
        if let semantic = segmentation.semantic {
            return segments(semanticLabels: semantic.labels, maxScores: semantic.maxScores,
                            height: h, width: w, vocabulary: vocabulary)
        }
        return []
    }

    /// Panoptic segments, in id order; masks from `panopticIDs == id` (row-major
    /// `height × width`), all from one pass over the map.
    public static func segments(panopticIDs ids: [Int32], height h: Int, width w: Int,
                                segments: [PanopticSegmentInfo], vocabulary: Vocabulary) -> [SegmentRecord] {
        let rles = COCORLE.encodeAll(labels: ids, height: h, width: w)
        let empty = COCORLE(unchecked: h, width: w, counts: [h * w])
        return segments.sorted { $0.id < $1.id }.map { s in
            record(id: Int(s.id), category: s.category, isThing: s.isThing, score: s.score,
                   rle: rles[s.id] ?? empty, vocabulary: vocabulary)
        }
    }

    /// Instances sorted by score (highest first, ties in the given order), ids 1…n.
    public static func segments(instances: [InstanceInfo], vocabulary: Vocabulary) -> [SegmentRecord] {
        let ranked = instances.enumerated().sorted {
            $0.element.score != $1.element.score ? $0.element.score > $1.element.score : $0.offset < $1.offset
        }
        return ranked.enumerated().map { rank, item in
            let c = item.element.category
            let isThing = vocabulary.classes.indices.contains(c) ? vocabulary.classes[c].isThing : true
            return record(id: rank + 1, category: c, isThing: isThing, score: item.element.score,
                          rle: COCORLE(mask: item.element.mask), vocabulary: vocabulary)
        }
    }

    /// One segment per class present in a semantic label map, in class order, ids 1…n, score =
    /// mean winning-class score over the class's pixels (0 when `maxScores` does not match).
    public static func segments(semanticLabels labels: [Int32], maxScores: [Float], height h: Int, width w: Int,
                                vocabulary: Vocabulary) -> [SegmentRecord] {
        let rles = COCORLE.encodeAll(labels: labels, height: h, width: w)
        var scoreSums: [Int32: Double] = [:]
        if maxScores.count == labels.count {
            for (l, s) in zip(labels, maxScores) { scoreSums[l, default: 0] += Double(s) }
        }
        return rles.keys.filter { $0 >= 0 }.sorted().enumerated().map { index, c in
            let rle = rles[c]!
            let category = Int(c)
            let isThing = vocabulary.classes.indices.contains(category) ? vocabulary.classes[category].isThing : false
            let mean = rle.area > 0 ? (scoreSums[c] ?? 0) / Double(rle.area) : 0
            return record(id: index + 1, category: category, isThing: isThing, score: Float(mean), rle: rle,
                          vocabulary: vocabulary)
        }
    }

    private static func record(id: Int, category: Int, isThing: Bool, score: Float, rle: COCORLE,
                               vocabulary: Vocabulary) -> SegmentRecord {
        let label = vocabulary.classes.indices.contains(category) ? vocabulary.classes[category].name : "class \(category)"
        return SegmentRecord(id: id, label: label, category: category, isThing: isThing,
                             score: Double(score), area: rle.area, bbox: rle.bbox, rle: RLERecord(rle))
    }
}
