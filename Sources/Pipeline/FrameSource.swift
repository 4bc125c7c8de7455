import Media

/// Where the pipeline's frames come from. `Media.VideoSource` (files, URLs, devices) is the
/// real one; the daemon wraps it to reconnect, tests use synthetic ones.
public protocol FrameSource: AnyObject, Sendable {
    /// The next decoded frame, or nil at the end of the stream. `wantPixels(index, pts)` says
    /// whether the frame's RGB image is needed (frames not selected are never converted).
    /// Throws when the source fails for good (I/O error, stall, interrupt).
    func nextFrame(wantPixels: (Int, Double) -> Bool) throws -> DecodedFrame?
    /// Makes a blocked or later `nextFrame` return promptly. Thread-safe.
    func interrupt()
    /// Packets or frames that failed to decode and were skipped so far.
    var decodeErrors: Int { get }
    /// True for live inputs (network streams, devices): the newest frame wins over a busy model.
    var isLive: Bool { get }
    /// The number of frames expected, when the container says (progress display); nil if unknown.
    var expectedFrameCount: Int? { get }
}

extension VideoSource: FrameSource {
    public var expectedFrameCount: Int? {
        guard !isLive, let duration, let frameRate, duration > 0, frameRate > 0 else { return nil }
        return Int((duration * frameRate).rounded())
    }
}
