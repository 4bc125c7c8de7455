import CLIP
import FCCLIP
import LabelStream
import Pipeline
import Tensor

/// Synthetic panoptic frames for tracker tests: rectangles of thing classes over one stuff
/// background, drawn in order (later ones occlude earlier ones), with per-frame ids in a
/// shuffled order (as a model's would be: they mean nothing across frames).
struct SyntheticScene {
    static let vocabulary = try! Vocabulary.resolve("thing: ball; box; stuff: sky; grass")
    static let sky = 2, grass = 3

    struct Blob {
        /// The ground-truth object.
        var truth: Int
        var category: Int = 0
        var x: Int, y: Int, w: Int = 20, h: Int = 20
        var score: Float = 0.9
        /// Decoder query embedding (unit length not required).
        var embedding: [Float]? = nil
    }

    var width = 200, height = 120
    var background = SyntheticScene.sky

    /// A frame and, per ground-truth object that has a pixel, one pixel of it (to read the
    /// tracked id back from the map).
    func frame(_ blobs: [Blob], seed: Int = 0) -> (segmentation: Segmentation, pixelOf: [Int: Int]) {
        let n = blobs.count
        // Raw id of blob i: a permutation of 2…n+1 that changes with the seed; the stuff gets 1.
        var order = Array(0..<n)
        var s = UInt64(seed &* 2_654_435_761 &+ 12345)
        for i in stride(from: n - 1, to: 0, by: -1) {
            s = s &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            order.swapAt(i, Int(s >> 33) % (i + 1))
        }
        var rawOf = [Int32](repeating: 0, count: n)
        for (rank, i) in order.enumerated() { rawOf[i] = Int32(rank + 2) }
        var ids = [Int32](repeating: 1, count: width * height)
        for (i, b) in blobs.enumerated() {
            let x0 = max(0, b.x), x1 = min(width, b.x + b.w), y0 = max(0, b.y), y1 = min(height, b.y + b.h)
            guard x0 < x1, y0 < y1 else { continue }
            for y in y0..<y1 {
                for x in x0..<x1 { ids[y * width + x] = rawOf[i] }
            }
        }
        var area = [Int: Int]()
        var pixel = [Int32: Int]()
        for (p, id) in ids.enumerated() {
            area[Int(id), default: 0] += 1
            if pixel[id] == nil { pixel[id] = p }
        }
        var segments: [Segment] = []
        if let a = area[1] {
            segments.append(Segment(id: 1, category: background, isThing: false, score: 0.95, query: n, area: a))
        }
        var pixelOf: [Int: Int] = [:]
        for (i, b) in blobs.enumerated() {
            guard let a = area[Int(rawOf[i])] else { continue }
            segments.append(Segment(id: rawOf[i], category: b.category, isThing: true, score: b.score, query: i, area: a))
            pixelOf[b.truth] = pixel[rawOf[i]]
        }
        segments.sort { $0.id < $1.id }
        var result = Segmentation(height: height, width: width, classCount: 4,
                                  panoptic: PanopticSegmentation(ids: ids, segments: segments))
        let dims = blobs.compactMap { $0.embedding?.count }.first ?? 0
        if dims > 0 {
            var values = [Float](repeating: 0, count: (n + 1) * dims)
            for (i, b) in blobs.enumerated() {
                for (d, v) in (b.embedding ?? []).enumerated() where d < dims { values[i * dims + d] = v }
            }
            result.queryEmbeddings = Tensor(shape: [n + 1, dims], values: values)
        }
        return (result, pixelOf)
    }
}

/// Runs a tracker over synthetic frames and collects what a test checks: the tracked id of each
/// ground-truth object per frame, and every event.
final class TrackingRun {
    let tracker: SegmentTracker
    let scene: SyntheticScene
    var fps = 25.0
    private(set) var frame = 0
    /// Per frame: ground truth → track id (objects with a pixel only).
    private(set) var ids: [[Int: Int32]] = []
    private(set) var events: [TrackEvent] = []
    private(set) var last: TrackedFrame?

    init(options: TrackerOptions = TrackerOptions(), scene: SyntheticScene = SyntheticScene()) {
        tracker = SegmentTracker(options: options, stream: "test")
        self.scene = scene
    }

    @discardableResult
    func step(_ blobs: [SyntheticScene.Blob], sceneCut: Bool = false, motion: MotionField? = nil,
              vocabulary: Vocabulary = SyntheticScene.vocabulary, skip: Int = 1) -> [Int: Int32] {
        let (segmentation, pixelOf) = scene.frame(blobs, seed: frame)
        let tracked = tracker.track(segmentation, frame: frame, pts: Double(frame) / fps, vocabulary: vocabulary,
                                    sceneCut: sceneCut, motion: motion)
        let map = tracked.segmentation.panoptic!.ids
        let result = pixelOf.mapValues { map[$0] }
        ids.append(result)
        events += tracked.events
        last = tracked
        frame += skip
        return result
    }

    func finish() { events += tracker.finish() }

    /// A frame that is not processed (frame numbers and pts go on).
    func skipFrame() { frame += 1 }

    /// Distinct track ids ground-truth object `truth` had over the run.
    func idsOf(_ truth: Int) -> Set<Int32> { Set(ids.compactMap { $0[truth] }) }
}
