/// Keeps a stream's presentation times strictly increasing across timestamp discontinuities.
///
/// A source's own timestamps may go back (two MPEG-TS recordings concatenated, an encoder
/// restart, a resolution change that resets the clock) or, in containers that allow it, jump
/// far ahead. `place` passes timestamps through unchanged until that happens; then it re-bases
/// the stream so that the frame continues one `frameDuration` after the previous one, and keeps
/// that offset for the frames after it, until the next discontinuity. The first frame after
/// each re-base is reported as a discontinuity, with its raw time.
///
/// A timestamp is a discontinuity when it is not strictly greater than the previous frame's
/// (after the offset), or, when `forwardJumpLimit` is set, when it is more than that many
/// seconds after it.
public struct PTSContinuity: Sendable, Equatable {
    /// Where one frame is placed on the output timeline.
    public struct Placement: Sendable, Equatable {
        /// The output time in seconds: strictly greater than the previous placement's.
        public var pts: Double
        /// The source's own time in seconds (as given to `place`).
        public var sourcePTS: Double
        /// True when this frame starts a new offset (the source's timeline broke just before it).
        public var discontinuity: Bool
    }

    /// Seconds between frames, used to continue the timeline after a discontinuity and to place
    /// frames without a timestamp.
    public let frameDuration: Double
    /// The largest forward step in seconds that counts as continuous; nil: any forward step does.
    public let forwardJumpLimit: Double?
    private var last: Double?
    private var lastSource: Double?
    private var offset = 0.0

    /// `frameDuration` falls back to 1/25 s when it is not a positive finite number.
    public init(frameDuration: Double, forwardJumpLimit: Double? = nil) {
        self.frameDuration = frameDuration.isFinite && frameDuration > 0 ? frameDuration : 1.0 / 25
        self.forwardJumpLimit = forwardJumpLimit.flatMap { $0.isFinite && $0 > 0 ? $0 : nil }
    }

    /// Places the next frame, whose source time is `source` seconds (nil or not finite: the
    /// frame has no timestamp and is placed one frame duration after the previous one).
    public mutating func place(_ source: Double?) -> Placement {
        guard let source, source.isFinite else {
            let pts = (last ?? -frameDuration) + frameDuration
            let raw = (lastSource ?? -frameDuration) + frameDuration
            last = pts
            lastSource = raw
            return Placement(pts: pts, sourcePTS: raw, discontinuity: false)
        }
        var pts = source + offset
        var discontinuity = false
        if let last {
            let backwards = !(pts > last)
            let jumped = forwardJumpLimit.map { pts - last > $0 } ?? false
            if backwards || jumped {
                pts = last + frameDuration
                offset = pts - source
                discontinuity = true
            }
        }
        last = pts
        lastSource = source
        return Placement(pts: pts, sourcePTS: source, discontinuity: discontinuity)
    }
}
