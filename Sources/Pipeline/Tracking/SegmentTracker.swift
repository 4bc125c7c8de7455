import CLIP
import FCCLIP
import LabelStream
import Tensor

/// Gives each panoptic segment a track id that stays the same while the object persists, and
/// says when objects appear, change and leave (`TrackEvent`).
///
/// Per processed frame (`track`):
/// 1. A scene cut (`sceneCut`, decided by the caller, e.g. `SceneCutDetector`), a change of
///    picture size, or a vocabulary whose classes mean something else ends every track.
/// 2. Each thing track's last mask is moved: along the codec's motion (`MotionField`) when the
///    track was seen in the previous frame and the frame has vectors, else along the track's
///    own velocity; the overlap is the better of the moved and the unmoved mask. Against each thing segment of the frame the cost is
///    `iou·(1 − IoU) + embedding·(1 − cos)/2 + class·[class differs]` (+0.01 per missed frame),
///    where IoU is counted on a sampling grid (`SegmentMeasurement`) and cos between the
///    decoder query embeddings when both have one. Pairs below `minIoU` never match.
/// 3. The optimal assignment (`HungarianAssignment`) decides; a segment left over starts a new,
///    tentative track; a track left over is missed (a tentative one is dropped) and, once
///    missing beyond the grace period (`TrackerOptions.graceFrames` and `graceSeconds`), ends.
/// 4. A tentative track matched in `confirmHits` frames is confirmed; a confirmed track that
///    passes the event filter is announced (`new`), then reported on changes (`update`) and
///    when it ends (`end`): every `new` has exactly one `end`, the latest from `finish()`.
///
/// **Ids.** Stuff classes keep one id per class: class index + 1 (1…C). Things get ids from
/// C + 1 up, never reused within a tracker (after 2²⁴ − 1, the largest id a panoptic PNG
/// holds, numbering starts again at C + 1, skipping live ids). Ids are unique within a frame.
///
/// Not thread-safe: one tracker per stream, called in frame order.
public final class SegmentTracker {
    public let options: TrackerOptions
    /// The stream name events carry.
    public let stream: String

    private var tracks: [Track] = []
    /// Per stuff class: first frame/pts of its current run and when it was last seen.
    private var stuff: [Int: (firstFrame: Int, lastFrame: Int, lastPTS: Double, missed: Int)] = [:]
    private var nextID: Int32 = 1
    private var classes: [(name: String, isThing: Bool)] = []
    private var size: (width: Int, height: Int)?
    private var last: (frame: Int, pts: Double)?

    /// The largest id a COCO panoptic PNG encodes.
    public static let maxID: Int32 = (1 << 24) - 1

    public init(options: TrackerOptions = TrackerOptions(), stream: String = "") {
        self.options = options
        self.stream = stream
    }

    /// Live thing tracks (tentative, confirmed and missing).
    public var trackCount: Int { tracks.count }

    /// Tracks `segmentation` (its panoptic output; a segmentation without one is returned
    /// unchanged) and returns it with track ids, with the tracks' ages and the frame's events.
    ///
    /// - Parameters:
    ///   - frame, pts: the frame's number and time (increasing).
    ///   - sceneCut: ends every track first.
    ///   - motion: the codec's motion since the previous processed frame, if known.
    public func track(_ segmentation: Segmentation, frame: Int, pts: Double, vocabulary: Vocabulary,
                      sceneCut: Bool = false, motion: MotionField? = nil) -> TrackedFrame {
        guard var panoptic = segmentation.panoptic else { return TrackedFrame(segmentation: segmentation) }
        var events: [TrackEvent] = []
        let newClasses = vocabulary.classes.map { (name: $0.name, isThing: $0.isThing) }
        let w = segmentation.width, h = segmentation.height
        if !newClasses.elementsEqual(classes, by: { $0.name == $1.name && $0.isThing == $1.isThing }) {
            events += endAll(reason: .vocabulary, frame: frame, pts: pts)
            stuff.removeAll()
            classes = newClasses
        } else if sceneCut || size.map({ $0.width != w || $0.height != h }) == true {
            events += endAll(reason: .sceneCut, frame: frame, pts: pts)
            stuff.removeAll()
        }
        size = (w, h)
        let classCount = Int32(min(classes.count, Int(Self.maxID) - 1))
        if nextID <= classCount { nextID = classCount + 1 }

        let segments = panoptic.segments
        let measured = SegmentMeasurement(ids: panoptic.ids, width: w, height: h, segmentIDs: segments.map(\.id))
        let embeddings = Self.embeddings(segmentation.queryEmbeddings, queries: segments.map(\.query))
        let states = segments.indices.map { k in
            TrackEvent.State(label: label(segments[k].category), category: segments[k].category,
                             score: Double(segments[k].score), area: segments[k].area, bbox: measured.boxes[k])
        }
        let things = segments.indices.filter { segments[$0].isThing && measured.centroids[$0] != nil }

        // Cost of every (track, thing segment) pair; IoU below the gate forbids the pair.
        let forbidden = 1e6
        var cost = [Double](repeating: forbidden, count: tracks.count * things.count)
        var iou = [Double](repeating: 0, count: cost.count)
        var counts = [Int](repeating: 0, count: segments.count), still = counts
        for (t, track) in tracks.enumerated() {
            let shift = predictedShift(track, pts: pts, motion: motion)
            let s = Double(measured.stride)
            let dx = Int((shift.x / s).rounded()), dy = Int((shift.y / s).rounded())
            measured.overlaps(of: track.points, dx: dx, dy: dy, into: &counts)
            if dx != 0 || dy != 0 {
                // The prediction may be wrong (a mask whose visible part changed shape under
                // occlusion, an object that stopped behind an occluder or at the border): the
                // better of the predicted place and the last one counts.
                measured.overlaps(of: track.points, dx: 0, dy: 0, into: &still)
                for k in counts.indices { counts[k] = max(counts[k], still[k]) }
            }
            for (j, k) in things.enumerated() {
                let inter = counts[k]
                guard inter > 0 else { continue }
                let union = track.points.count + measured.points[k].count - inter
                let overlap = union > 0 ? Double(inter) / Double(union) : 0
                iou[t * things.count + j] = overlap
                guard overlap >= options.minIoU else { continue }
                var c = options.iouWeight * (1 - overlap)
                if let a = track.embedding, let b = embeddings[k], a.count == b.count {
                    var dot: Float = 0
                    for i in a.indices { dot += a[i] * b[i] }
                    c += options.embeddingWeight * (1 - Double(dot)) / 2
                }
                if track.state.category != segments[k].category { c += options.classWeight }
                c += 0.01 * Double(min(track.missed, 10))
                cost[t * things.count + j] = c
            }
        }
        let assignment = HungarianAssignment.solve(cost: cost, rows: tracks.count, columns: things.count)

        var trackOf = [Int32](repeating: 0, count: segments.count)
        var matchedSegment = [Bool](repeating: false, count: things.count)
        var matchedTrack = [Bool](repeating: false, count: tracks.count)
        var updates: [TrackEvent] = [], news: [TrackEvent] = []
        for (t, j) in assignment.enumerated() where j >= 0 && cost[t * things.count + j] < forbidden {
            let k = things[j]
            matchedSegment[j] = true
            matchedTrack[t] = true
            trackOf[k] = tracks[t].id
            update(&tracks[t], frame: frame, pts: pts, state: states[k], points: measured.points[k],
                   centroid: measured.centroids[k]!, embedding: embeddings[k])
            if let event = report(&tracks[t], frame: frame, pts: pts) {
                if event.event == .new { news.append(event) } else { updates.append(event) }
            }
        }
        // Tracks not matched: a tentative one is dropped, a confirmed one waits out the grace.
        var kept: [Track] = []
        var ends: [TrackEvent] = []
        for (t, var track) in tracks.enumerated() {
            if matchedTrack[t] { kept.append(track); continue }
            if track.phase == .tentative { continue }
            track.missed += 1
            if track.missed > options.graceFrames && pts - track.lastPTS > options.graceSeconds {
                if let end = endEvent(track, reason: .lost, frame: frame, pts: pts) { ends.append(end) }
                continue
            }
            kept.append(track)
        }
        tracks = kept
        // Segments not matched start tentative tracks.
        for (j, k) in things.enumerated() where !matchedSegment[j] {
            var track = Track(id: allocateID(), confirmed: options.confirmHits <= 1, frame: frame, pts: pts, state: states[k],
                              isThing: true, points: measured.points[k], centroid: measured.centroids[k]!, embedding: embeddings[k])
            trackOf[k] = track.id
            if let event = report(&track, frame: frame, pts: pts) { news.append(event) }
            tracks.append(track)
        }
        tracks.sort { $0.id < $1.id }

        // Stuff: one id per class; its age runs while the class keeps appearing within the grace.
        var ages: [Int32: Int] = [:]
        var stuffSeen = Set<Int>()
        for (k, segment) in segments.enumerated() where !segment.isThing || measured.centroids[k] == nil {
            if segment.isThing {
                // A thing without a pixel on the grid (a sliver): a fresh id, no track.
                trackOf[k] = allocateID()
                ages[trackOf[k]] = 0
                continue
            }
            let c = segment.category
            let first = stuff[c]?.firstFrame ?? frame
            stuff[c] = (first, frame, pts, 0)
            stuffSeen.insert(c)
            trackOf[k] = Int32(min(c, Int(Self.maxID) - 1) + 1)
            ages[trackOf[k]] = frame - first
        }
        for (c, entry) in stuff where !stuffSeen.contains(c) {
            let missed = entry.missed + 1
            if missed > options.graceFrames && pts - entry.lastPTS > options.graceSeconds {
                stuff[c] = nil
            } else {
                stuff[c] = (entry.firstFrame, entry.lastFrame, entry.lastPTS, missed)
            }
        }
        for track in tracks where track.missed == 0 { ages[track.id] = frame - track.firstFrame }

        // Rewrite the map and the segments with the track ids.
        let maxRaw = Int(segments.map(\.id).max() ?? 0)
        if maxRaw < 1 << 20 {
            var table = [Int32](repeating: 0, count: maxRaw + 1)
            for (k, s) in segments.enumerated() where s.id >= 0 { table[Int(s.id)] = trackOf[k] }
            panoptic.ids.withUnsafeMutableBufferPointer { p in
                table.withUnsafeBufferPointer { t in
                    for i in 0..<p.count {
                        let id = Int(p[i])
                        p[i] = id >= 0 && id <= maxRaw ? t[id] : 0
                    }
                }
            }
        } else {
            var table: [Int32: Int32] = [:]
            for (k, s) in segments.enumerated() { table[s.id] = trackOf[k] }
            for i in panoptic.ids.indices { panoptic.ids[i] = table[panoptic.ids[i]] ?? 0 }
        }
        for k in panoptic.segments.indices { panoptic.segments[k].id = trackOf[k] }
        panoptic.segments.sort { $0.id < $1.id }
        var out = segmentation
        out.panoptic = panoptic
        last = (frame, pts)
        return TrackedFrame(segmentation: out, ages: ages,
                            events: events + ends.sorted { $0.id < $1.id } + news.sorted { $0.id < $1.id } + updates.sorted { $0.id < $1.id })
    }

    /// Ends every track (the stream ended or was stopped): one `end` per announced track, at the
    /// last processed frame. The tracker can go on afterwards, with fresh tracks.
    public func finish() -> [TrackEvent] {
        guard let last else { tracks.removeAll(); return [] }
        stuff.removeAll()
        return endAll(reason: .endOfStream, frame: last.frame, pts: last.pts)
    }

    // MARK: - Steps

    private func endAll(reason: TrackEvent.EndReason, frame: Int, pts: Double) -> [TrackEvent] {
        let ends = tracks.compactMap { endEvent($0, reason: reason, frame: frame, pts: pts) }
        tracks.removeAll()
        return ends
    }

    /// Where the track's last mask has moved to by `pts`, in pixels.
    private func predictedShift(_ track: Track, pts: Double, motion: MotionField?) -> (x: Double, y: Double) {
        if options.useMotionVectors, track.missed == 0, let motion, let d = motion.displacement(in: track.state.bbox) {
            return (d.dx, d.dy)
        }
        let dt = max(0, pts - track.lastPTS)
        // At most one box size: a wrong velocity must not throw the mask far away.
        let limitX = Double(max(track.state.bbox[2], 1)), limitY = Double(max(track.state.bbox[3], 1))
        return (max(-limitX, min(limitX, track.velocity.x * dt)), max(-limitY, min(limitY, track.velocity.y * dt)))
    }

    private func update(_ track: inout Track, frame: Int, pts: Double, state: TrackEvent.State, points: [UInt32],
                        centroid: (x: Double, y: Double), embedding: [Float]?) {
        let dt = pts - track.lastPTS
        if dt > 0 {
            let v = ((centroid.x - track.centroid.x) / dt, (centroid.y - track.centroid.y) / dt)
            // The first measured velocity is taken as is, later ones smoothed.
            track.velocity = track.hits == 1 && track.missed == 0 ? v : (0.5 * track.velocity.x + 0.5 * v.0, 0.5 * track.velocity.y + 0.5 * v.1)
        }
        track.hits += 1
        track.missed = 0
        track.lastFrame = frame
        track.lastPTS = pts
        track.state = state
        track.bestScore = max(track.bestScore, state.score)
        track.points = points
        track.centroid = centroid
        if let embedding { track.embedding = embedding }
        if track.phase == .tentative && track.hits >= options.confirmHits { track.phase = .confirmed }
    }

    /// The `new` or `update` event the track makes on this frame, if any.
    private func report(_ track: inout Track, frame: Int, pts: Double) -> TrackEvent? {
        guard track.phase == .confirmed else { return nil }
        let s = track.state
        if !track.announced {
            guard options.filter.passes(label: s.label, score: s.score, area: s.area) else { return nil }
            track.announced = true
            track.reported = s
            track.reportedPTS = pts
            return event(track, .new, before: s, frame: frame, pts: pts)
        }
        let changed = s.category != track.reported.category
            || abs(s.score - track.reported.score) >= options.updateScoreDelta
            || (options.updateInterval > 0 && pts - track.reportedPTS >= options.updateInterval)
        guard changed else { return nil }
        let before = track.reported
        track.reported = s
        track.reportedPTS = pts
        return event(track, .update, before: before, frame: frame, pts: pts)
    }

    private func endEvent(_ track: Track, reason: TrackEvent.EndReason, frame: Int, pts: Double) -> TrackEvent? {
        guard track.announced else { return nil }
        var e = event(track, .end, before: track.reported, frame: frame, pts: pts)
        e.reason = reason
        return e
    }

    private func event(_ track: Track, _ kind: TrackEvent.Kind, before: TrackEvent.State, frame: Int, pts: Double) -> TrackEvent {
        TrackEvent(stream: stream, event: kind, id: Int(track.id), label: track.state.label, isThing: track.isThing,
                   frame: frame, pts: pts, firstFrame: track.firstFrame, firstPTS: track.firstPTS,
                   lastFrame: track.lastFrame, lastPTS: track.lastPTS, bestScore: track.bestScore,
                   before: before, after: track.state)
    }

    /// The next free thing id (above the stuff ids, below `maxID`).
    private func allocateID() -> Int32 {
        let floor = Int32(min(classes.count, Int(Self.maxID) - 1)) + 1
        var live = Set(tracks.map(\.id))
        while true {
            if nextID > Self.maxID || nextID < floor { nextID = floor }
            let id = nextID
            nextID += 1
            if !live.contains(id) {
                live.insert(id)
                return id
            }
        }
    }

    private func label(_ category: Int) -> String {
        classes.indices.contains(category) ? classes[category].name : "class \(category)"
    }

    /// Rows `queries` of `[Q, D]` embeddings, each scaled to unit length (nil when absent or zero).
    static func embeddings(_ embeddings: Tensor?, queries: [Int]) -> [[Float]?] {
        guard let e = embeddings, e.rank == 2 else { return queries.map { _ in nil } }
        let q = e.shape[0], d = e.shape[1]
        return e.withUnsafeBufferPointer { p in
            queries.map { query -> [Float]? in
                guard query >= 0, query < q, d > 0 else { return nil }
                let row = Array(p[(query * d)..<((query + 1) * d)])
                var norm: Float = 0
                for x in row { norm += x * x }
                guard norm > 0, norm.isFinite else { return nil }
                let inv = 1 / norm.squareRoot()
                return row.map { $0 * inv }
            }
        }
    }
}
