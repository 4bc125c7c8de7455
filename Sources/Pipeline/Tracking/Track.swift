import LabelStream

/// One thing track of `SegmentTracker`: its id, life so far, and the mask it was last seen with.
struct Track {
    enum Phase { case tentative, confirmed }

    let id: Int32
    var phase: Phase
    /// Processed frames it was matched in.
    var hits = 1
    /// Processed frames since it was last matched (0: matched in the latest frame).
    var missed = 0
    let firstFrame: Int, firstPTS: Double
    var lastFrame: Int, lastPTS: Double
    /// The latest state (class, score, area, box).
    var state: TrackEvent.State
    var isThing: Bool
    var bestScore: Double
    /// Grid cells of the last mask (`SegmentMeasurement.points`) and its centroid in pixels.
    var points: [UInt32]
    var centroid: (x: Double, y: Double)
    /// Pixels per second, from the centroids of consecutive matches.
    var velocity: (x: Double, y: Double) = (0, 0)
    /// Unit-length decoder query embedding of the last match.
    var embedding: [Float]?
    /// Whether `new` was sent (then exactly one `end` follows), the state it or the latest
    /// `update` reported, and when.
    var announced = false
    var reported: TrackEvent.State
    var reportedPTS: Double = 0

    init(id: Int32, confirmed: Bool, frame: Int, pts: Double, state: TrackEvent.State, isThing: Bool,
         points: [UInt32], centroid: (x: Double, y: Double), embedding: [Float]?) {
        self.id = id
        phase = confirmed ? .confirmed : .tentative
        firstFrame = frame
        firstPTS = pts
        lastFrame = frame
        lastPTS = pts
        self.state = state
        self.isThing = isThing
        bestScore = state.score
        self.points = points
        self.centroid = centroid
        self.embedding = embedding
        reported = state
    }
}
