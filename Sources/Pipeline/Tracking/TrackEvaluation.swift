/// Tracking quality of a labelled run, frame by frame (CLEAR-MOT style identity counts):
///
/// - a predicted thing segment and a true object match in a frame when their masks overlap
///   with IoU > 0.5 (unique on both sides, since masks of one side do not overlap);
/// - an **id switch** is a true object matched to another predicted id than at its previous
///   match;
/// - a **fragmentation** is a true object matched again after frames in which it was
///   present but unmatched;
/// - **track length** is the number of frames a predicted thing id appears in.
///
/// Without ground truth (`add(predicted:)` only), the predicted-side numbers still say how
/// long ids live.
public struct TrackEvaluation: Sendable, Equatable {
    public private(set) var frames = 0
    /// Matches, id switches and fragmentations over all frames (with truth).
    public private(set) var matches = 0, idSwitches = 0, fragmentations = 0
    /// True object appearances (frames × objects) and how many found no match.
    public private(set) var truthAppearances = 0, misses = 0
    /// Frames each predicted thing id appeared in.
    public private(set) var trackFrames: [Int: Int] = [:]
    /// Per true object: the predicted id at its latest match, and whether it was unmatched since.
    private var lastMatch: [Int: Int] = [:]
    private var gap: [Int: Bool] = [:]

    public init() {}

    /// Distinct predicted thing ids.
    public var predictedTracks: Int { trackFrames.count }
    /// Mean frames per predicted thing id.
    public var meanTrackLength: Double {
        trackFrames.isEmpty ? 0 : Double(trackFrames.values.reduce(0, +)) / Double(trackFrames.count)
    }

    /// One frame: `predicted` and `truth` are row-major id maps of one size (0 or any id not in
    /// the thing lists: not a thing); `predictedThings` / `truthThings` the ids that are things.
    public mutating func add(predicted: [Int32], predictedThings: Set<Int32>, truth: [Int32]? = nil, truthThings: Set<Int32> = []) {
        frames += 1
        var area: [Int32: Int] = [:]
        for id in predicted where predictedThings.contains(id) { area[id, default: 0] += 1 }
        for id in area.keys { trackFrames[Int(id), default: 0] += 1 }
        guard let truth, truth.count == predicted.count else { return }
        var truthArea: [Int32: Int] = [:], inter: [Int64: Int] = [:]
        for i in truth.indices {
            let t = truth[i]
            guard truthThings.contains(t) else { continue }
            truthArea[t, default: 0] += 1
            let p = predicted[i]
            if predictedThings.contains(p) { inter[Int64(t) << 32 | Int64(UInt32(bitPattern: p)), default: 0] += 1 }
        }
        var matchOf: [Int32: Int32] = [:]
        for (key, n) in inter {
            let t = Int32(truncatingIfNeeded: key >> 32), p = Int32(truncatingIfNeeded: key)
            let union = (truthArea[t] ?? 0) + (area[p] ?? 0) - n
            if union > 0 && 2 * n > union { matchOf[t] = p }
        }
        for t in truthArea.keys.sorted() {
            truthAppearances += 1
            guard let p = matchOf[t] else {
                misses += 1
                if lastMatch[Int(t)] != nil { gap[Int(t)] = true }
                continue
            }
            matches += 1
            if let previous = lastMatch[Int(t)] {
                if previous != Int(p) { idSwitches += 1 }
                if gap[Int(t)] == true { fragmentations += 1 }
            }
            lastMatch[Int(t)] = Int(p)
            gap[Int(t)] = false
        }
    }
}
