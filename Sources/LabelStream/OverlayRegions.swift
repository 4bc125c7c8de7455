import FCCLIP

extension Overlay {
    /// What an overlay draws: per-pixel region (outlines separate regions) and class (colour),
    /// row-major at `height × width`.
    public struct LabelMap: Sendable, Equatable {
        public let height: Int, width: Int
        /// Region key per pixel; 0 = nothing drawn.
        public var region: [Int32]
        /// Class index per pixel; -1 = nothing drawn.
        public var category: [Int32]

        public init(height: Int, width: Int, region: [Int32], category: [Int32]) {
            precondition(region.count == height * width && category.count == height * width,
                         "label map size does not match \(height)x\(width)")
            self.height = height
            self.width = width
            self.region = region
            self.category = category
        }

        /// Panoptic map: region = segment id, class = its segment's category (ids without a
        /// segment entry are not drawn).
        public static func panoptic(ids: [Int32], height: Int, width: Int, segments: [PanopticSegmentInfo]) -> LabelMap {
            var classOf: [Int32: Int32] = [:]
            for seg in segments { classOf[seg.id] = Int32(seg.category) }
            var lastID: Int32 = 0, lastClass: Int32 = -1
            let category = ids.map { id -> Int32 in
                if id == 0 { return -1 }
                if id != lastID { lastID = id; lastClass = classOf[id] ?? -1 }
                return lastClass
            }
            let region = zip(ids, category).map { $1 < 0 ? 0 : $0 }
            return LabelMap(height: height, width: width, region: region, category: category)
        }

        /// Semantic map: one region per class (negative labels are not drawn).
        public static func semantic(labels: [Int32], height: Int, width: Int) -> LabelMap {
            let category = labels.map { $0 >= 0 ? $0 : -1 }
            return LabelMap(height: height, width: width, region: category.map { $0 + 1 }, category: category)
        }

        /// Instances scoring at least `minScore`, higher scores painted over lower ones; masks of
        /// another size than `height × width` are skipped.
        public static func instances(_ instances: [InstanceInfo], height: Int, width: Int, minScore: Float) -> LabelMap {
            let n = height * width
            var region = [Int32](repeating: 0, count: n)
            var category = [Int32](repeating: -1, count: n)
            let kept = instances.enumerated()
                .filter { $0.element.score >= minScore && $0.element.mask.height == height && $0.element.mask.width == width }
                .sorted { $0.element.score != $1.element.score ? $0.element.score < $1.element.score : $0.offset > $1.offset }
            for (rank, item) in kept.enumerated() {
                let c = Int32(item.element.category), key = Int32(rank + 1)
                for (w, word) in item.element.mask.words.enumerated() where word != 0 {
                    var bits = word
                    while bits != 0 {
                        let i = w * 64 + bits.trailingZeroBitCount
                        bits &= bits - 1
                        if i < n { region[i] = key; category[i] = c }
                    }
                }
            }
            return LabelMap(height: height, width: width, region: region, category: category)
        }

        /// The panoptic map when present, else the semantic map, else the instances; nil when
        /// the segmentation has none of them or is empty.
        public init?(_ s: Segmentation, minInstanceScore: Float) {
            let h = s.height, w = s.width, n = h * w
            guard n > 0 else { return nil }
            if let panoptic = s.panoptic, panoptic.ids.count == n {
                self = .panoptic(ids: panoptic.ids, height: h, width: w,
                                 segments: panoptic.segments.map(PanopticSegmentInfo.init))
            } else if let semantic = s.semantic, semantic.labels.count == n {
                self = .semantic(labels: semantic.labels, height: h, width: w)
            } else if let instances = s.instances {
                self = .instances(instances.map(InstanceInfo.init), height: h, width: w, minScore: minInstanceScore)
            } else {
                return nil
            }
        }
    }
}
