import FCCLIP

/// One decoded video frame, as `VideoSource.nextFrame` returns it.
public struct DecodedFrame: Sendable {
    /// Frames decoded since the source was opened, 0-based. Every frame the decoder produced
    /// counts, including damaged ones that were skipped, so a skip shows as a gap.
    public var index: Int
    /// Presentation time in seconds (`best_effort_timestamp` × the stream's time base), relative
    /// to the stream's `start_time` when the container states one (a file's first frame is at ~0).
    /// Strictly increasing: after a timestamp discontinuity it continues from the previous
    /// frame (see `PTSContinuity`), and `discontinuity` marks the first frame after it.
    public var pts: Double
    /// The source's own time in seconds, before any re-basing (equal to `pts` until the first
    /// discontinuity).
    public var sourcePTS: Double
    /// True on the first frame after the source's timestamps went back or jumped ahead.
    public var discontinuity: Bool
    /// Upright size, after the display rotation.
    public var width: Int
    public var height: Int
    /// Upright RGB24 pixels at source size; nil when the caller said it does not want this frame's pixels.
    public var image: RGBImage?
    /// Whether the codec marked the frame as a keyframe or an I picture.
    public var isKeyframe: Bool
    /// The codec's motion vectors, when `VideoSourceOptions.exportMotionVectors` is set (empty when
    /// the frame has none, e.g. an I picture); nil otherwise. Coordinates are in the stored
    /// (not rotated) picture.
    public var motionVectors: [MotionVector]?

    public init(index: Int, pts: Double, width: Int, height: Int, image: RGBImage?, isKeyframe: Bool,
                motionVectors: [MotionVector]?, sourcePTS: Double? = nil, discontinuity: Bool = false) {
        self.index = index
        self.pts = pts
        self.sourcePTS = sourcePTS ?? pts
        self.discontinuity = discontinuity
        self.width = width
        self.height = height
        self.image = image
        self.isKeyframe = isKeyframe
        self.motionVectors = motionVectors
    }
}
