/// How `SegmentTracker` matches segments across frames and when it reports events.
public struct TrackerOptions: Sendable, Equatable {
    /// A previous mask (moved along the motion) and a segment whose overlap (IoU) is below this
    /// never match.
    public var minIoU = 0.1
    /// Weights of the matching cost `iou·(1 − IoU) + embedding·(1 − cos)/2 + class·[class differs]`
    /// (the embedding term only when both sides have a decoder query embedding).
    public var iouWeight = 1.0
    public var embeddingWeight = 0.5
    public var classWeight = 0.5
    /// A track that is not seen is kept (its id reserved, its mask still matched) until it has
    /// been missing for more than `graceFrames` processed frames **and** more than
    /// `graceSeconds` of stream time: the longer of the two wins (set one to 0 to use the other
    /// alone).
    public var graceFrames = 10
    public var graceSeconds = 1.0
    /// A new track is tentative until it was matched in this many processed frames in a row
    /// (counting the first); only confirmed tracks make events. A tentative track that is
    /// missed once is dropped.
    public var confirmHits = 2
    /// An `update` event is sent when the class changes or the score moved by at least this
    /// much since the last event…
    public var updateScoreDelta = 0.15
    /// …or every this many seconds of stream time (0: never).
    public var updateInterval = 10.0
    /// Moves previous masks along the codec's motion vectors when frames carry them (otherwise,
    /// and for tracks not seen in the previous frame, along the track's own velocity).
    public var useMotionVectors = true
    /// Mean absolute luma difference (0…255) of two consecutive processed frames' thumbnails above
    /// which the frame counts as a scene cut (every track ends); 0 disables the detector.
    public var sceneCutThreshold = 40.0
    /// Which confirmed tracks make events.
    public var filter = TrackEventFilter()

    public init() {}
}

/// Per-class minimum score and area below which a track makes no events (it still keeps its id
/// in the records). A track is announced (`new`) in the first frame in which it passes.
public struct TrackEventFilter: Sendable, Equatable {
    /// For classes without their own entry.
    public var minScore: Double
    public var minArea: Int
    /// By class label (the vocabulary's display name, e.g. "forklift").
    public var classMinScore: [String: Double]
    public var classMinArea: [String: Int]

    public init(minScore: Double = 0, minArea: Int = 0, classMinScore: [String: Double] = [:], classMinArea: [String: Int] = [:]) {
        self.minScore = minScore
        self.minArea = minArea
        self.classMinScore = classMinScore
        self.classMinArea = classMinArea
    }

    /// Whether a segment of class `label` with `score` and `area` makes events.
    public func passes(label: String, score: Double, area: Int) -> Bool {
        score >= (classMinScore[label] ?? minScore) && area >= (classMinArea[label] ?? minArea)
    }

    /// Parses `VALUE` (every class) or `LABEL=VALUE` (one class) entries, e.g. from repeated
    /// `--track-min-score` flags; the label may contain spaces. Throws a message naming the entry.
    public mutating func parseScores(_ entries: [String]) throws(TrackerOptionError) {
        for entry in entries {
            let (label, text) = Self.split(entry)
            guard let value = Double(text), value.isFinite, value >= 0, value <= 1 else {
                throw TrackerOptionError(message: "minimum score '\(entry)': expected a number from 0 to 1, or LABEL=NUMBER")
            }
            if let label { classMinScore[label] = value } else { minScore = value }
        }
    }

    /// As `parseScores`, for areas in pixels (whole numbers ≥ 0).
    public mutating func parseAreas(_ entries: [String]) throws(TrackerOptionError) {
        for entry in entries {
            let (label, text) = Self.split(entry)
            guard let value = Int(text), value >= 0 else {
                throw TrackerOptionError(message: "minimum area '\(entry)': expected a whole number of pixels ≥ 0, or LABEL=PIXELS")
            }
            if let label { classMinArea[label] = value } else { minArea = value }
        }
    }

    private static func split(_ entry: String) -> (label: String?, value: String) {
        guard let eq = entry.lastIndex(of: "=") else { return (nil, entry.trimmingSpaces) }
        let label = String(entry[..<eq]).trimmingSpaces
        return (label.isEmpty ? nil : label, String(entry[entry.index(after: eq)...]).trimmingSpaces)
    }
}

/// A tracker setting that cannot be used; the message names it.
public struct TrackerOptionError: Error, CustomStringConvertible, Equatable {
    public var message: String
    public var description: String { message }
}

private extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return String(s)
    }
}
