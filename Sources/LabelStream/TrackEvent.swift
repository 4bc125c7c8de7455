/// One object event of the label stream (`"type": "event"`): a tracked object appeared
/// (`new`), changed (`update`) or left (`end`). Written to `events.jsonl` and sent on the label
/// socket between the frame records, after the record of the frame it happened on.
///
/// Every `new` is followed by exactly one `end` for the same `id` (at the latest when the
/// stream ends or the process is stopped); `update`s come in between.
public struct TrackEvent: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        /// The track was confirmed (seen in enough consecutive frames, above the event filter).
        case new
        /// Its class changed, its score moved beyond the threshold, or the update interval passed.
        case update
        /// It was lost beyond the grace period, or the stream ended or was cut.
        case end
    }

    /// Why a track ended (`end` events only).
    public enum EndReason: String, Codable, Sendable {
        /// Not seen for longer than the grace period.
        case lost
        /// A scene cut ended every track.
        case sceneCut = "scene_cut"
        /// The vocabulary changed the meaning of class indices.
        case vocabulary
        /// The stream ended or the pipeline was stopped.
        case endOfStream = "end_of_stream"
    }

    /// What the object looked like at one moment.
    public struct State: Codable, Sendable, Equatable {
        public var label: String
        public var category: Int
        public var score: Double
        public var area: Int
        /// `[x, y, width, height]` in source pixels.
        public var bbox: [Int]

        public init(label: String, category: Int, score: Double, area: Int, bbox: [Int]) {
            self.label = label
            self.category = category
            self.score = score
            self.area = area
            self.bbox = bbox
        }

        public enum CodingKeys: String, CodingKey, CaseIterable {
            case label, category, score, area, bbox
        }
    }

    /// Always "event" (frame records say "frame").
    public var type: String = "event"
    public var stream: String
    public var event: Kind
    /// The track id: the segment's `id` in the frame records and panoptic PNGs.
    public var id: Int
    /// The class at the time of the event.
    public var label: String
    public var isThing: Bool
    /// The frame (and its pts) the event was decided on.
    public var frame: Int
    public var pts: Double
    /// Where the track started and where it was last seen.
    public var firstFrame: Int
    public var firstPTS: Double
    public var lastFrame: Int
    public var lastPTS: Double
    /// The highest score the track had so far.
    public var bestScore: Double
    /// The state reported by the track's previous event (for `new`, equal to `after`).
    public var before: State
    /// The state now (for `end`, when last seen).
    public var after: State
    /// Why the track ended; nil (absent) for `new` and `update`.
    public var reason: EndReason?

    public init(stream: String, event: Kind, id: Int, label: String, isThing: Bool, frame: Int, pts: Double,
                firstFrame: Int, firstPTS: Double, lastFrame: Int, lastPTS: Double, bestScore: Double,
                before: State, after: State, reason: EndReason? = nil) {
        self.stream = stream
        self.event = event
        self.id = id
        self.label = label
        self.isThing = isThing
        self.frame = frame
        self.pts = pts
        self.firstFrame = firstFrame
        self.firstPTS = firstPTS
        self.lastFrame = lastFrame
        self.lastPTS = lastPTS
        self.bestScore = bestScore
        self.before = before
        self.after = after
        self.reason = reason
    }

    /// The key order `jsonLine()` writes.
    public enum CodingKeys: String, CodingKey, CaseIterable {
        case type, stream, event, id, label
        case isThing = "isthing"
        case frame, pts
        case firstFrame = "first_frame"
        case firstPTS = "first_pts"
        case lastFrame = "last_frame"
        case lastPTS = "last_pts"
        case bestScore = "best_score"
        case before, after, reason
    }

    /// The event as one compact JSON line (no trailing newline), keys in `CodingKeys` order;
    /// numbers as in the frame records (scores 4 decimals, times 6).
    public func jsonLine() -> String {
        var out = JSONLine()
        out.open()
        out.key(CodingKeys.type); out.string(type)
        out.key(CodingKeys.stream); out.string(stream)
        out.key(CodingKeys.event); out.string(event.rawValue)
        out.key(CodingKeys.id); out.int(id)
        out.key(CodingKeys.label); out.string(label)
        out.key(CodingKeys.isThing); out.bool(isThing)
        out.key(CodingKeys.frame); out.int(frame)
        out.key(CodingKeys.pts); out.decimal(pts, places: 6)
        out.key(CodingKeys.firstFrame); out.int(firstFrame)
        out.key(CodingKeys.firstPTS); out.decimal(firstPTS, places: 6)
        out.key(CodingKeys.lastFrame); out.int(lastFrame)
        out.key(CodingKeys.lastPTS); out.decimal(lastPTS, places: 6)
        out.key(CodingKeys.bestScore); out.decimal(bestScore, places: 4)
        out.key(CodingKeys.before); before.write(to: &out)
        out.key(CodingKeys.after); after.write(to: &out)
        if let reason { out.key(CodingKeys.reason); out.string(reason.rawValue) }
        out.close()
        return out.text
    }
}

extension TrackEvent.State {
    fileprivate func write(to out: inout JSONLine) {
        out.open()
        out.key(CodingKeys.label); out.string(label)
        out.key(CodingKeys.category); out.int(category)
        out.key(CodingKeys.score); out.decimal(score, places: 4)
        out.key(CodingKeys.area); out.int(area)
        out.key(CodingKeys.bbox); out.ints(bbox)
        out.close()
    }
}
