import Foundation
import Logging
import Media
import Pipeline

/// A live source that never ends: when opening fails, the input stalls, errors or ends, it is
/// reopened after a back-off delay (doubling from `initialDelay` up to `maxDelay`, forever).
///
/// Frame numbers and timestamps continue across reconnects, so records of one stream stay in
/// order: `frame` keeps counting, and `pts` continues from the last frame plus the wall-clock
/// time spent reconnecting. A file (not live) is paced to its own frame rate, as a camera would
/// deliver it, and starts over when it ends. Frames are not converted while `paused`.
///
/// State changes are logged when a logger is given: each failure with its error (warning), the
/// first frame after failures (info, with how many attempts failed), at most a few lines a
/// minute per stream (`LogRateLimiter`). `lastError` is cleared by the first frame after a
/// failure, so a recovered stream no longer shows one.
public final class ReconnectingSource: FrameSource, @unchecked Sendable {
    /// Opens the underlying input (a `VideoSource` in the daemon; tests inject others).
    public typealias Opener = @Sendable () throws -> any FrameSource

    /// Where the source stands, for `segd ctl list` and metrics.
    public struct Status: Sendable, Equatable {
        public var state: StreamStatus.State
        public var lastError: String?
        public var retryIn: Double?
        public var reconnects: Int
    }

    private let open: Opener
    private let policy: ReconnectPolicy
    private let name: String
    private let logger: Logger?
    private let limiter: LogRateLimiter
    /// A URL with a password, and its redacted form, replaced in every log line.
    private var redaction: (url: String, redacted: String)?
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var current: (any FrameSource)?
    private var interrupted = false
    private var statusValue = Status(state: .connecting, lastError: nil, retryIn: nil, reconnects: 0)
    private var retryDeadline: ContinuousClock.Instant?
    private var pausedValue = false
    private var maxPixelsValue: Int?
    private var finishedErrors = 0

    // Touched by the reading thread only.
    private var delay: Double
    private var indexBase = 0
    private var ptsBase = 0.0
    private var nextIndex = 0
    private var lastPTS: Double?
    private var lastFrameWall: ContinuousClock.Instant?
    private var sessionStart: ContinuousClock.Instant?
    private var sessionFrames = 0
    private var pacing: (wall: ContinuousClock.Instant, pts: Double)?
    /// Failures since the last frame delivered.
    private var failuresSinceFrame = 0

    /// - Parameters:
    ///   - policy: the back-off.
    ///   - name: the stream's name, for log lines.
    ///   - logger: where state changes are logged; nil = not logged.
    ///   - limiter: bounds how often they are logged.
    ///   - open: opens the underlying input.
    public init(policy: ReconnectPolicy, name: String = "stream", logger: Logger? = nil,
                limiter: LogRateLimiter = LogRateLimiter(), open: @escaping Opener) {
        self.policy = policy
        self.name = name
        self.logger = logger
        self.limiter = limiter
        self.open = open
        delay = policy.initialDelay
    }

    /// The daemon's source for `url`: FFmpeg with the policy's stall timeout.
    public convenience init(url: String, policy: ReconnectPolicy, name: String = "stream", logger: Logger? = nil) {
        var options = VideoSourceOptions()
        options.readTimeout = policy.stallTimeout
        options.openTimeout = policy.stallTimeout
        let fixed = options
        self.init(policy: policy, name: name, logger: logger) { try VideoSource(url: url, options: fixed) }
        let redacted = StreamConfig.redacted(url)
        if redacted != url { redaction = (url, redacted) }
    }

    public var status: Status {
        condition.lock()
        defer { condition.unlock() }
        var s = statusValue
        if pausedValue && s.state == .running { s.state = .paused }
        if let retryDeadline { s.retryIn = max(0, (retryDeadline - ContinuousClock.now).seconds) }
        return s
    }

    /// Frames with more pixels than this are not delivered: the source counts as failed (its
    /// error says why) and is reopened with back-off, so a camera that switches to a resolution
    /// the memory budget cannot hold stops its stream alone instead of the whole daemon. nil = no bound.
    public var maxFramePixels: Int? {
        get { condition.lock(); defer { condition.unlock() }; return maxPixelsValue }
        set { condition.lock(); maxPixelsValue = newValue; condition.unlock() }
    }

    /// While paused, frames are still read (a live input must be drained) but not converted,
    /// so the pipeline skips them.
    public var paused: Bool {
        get { condition.lock(); defer { condition.unlock() }; return pausedValue }
        set { condition.lock(); pausedValue = newValue; condition.unlock() }
    }

    public var isLive: Bool { true }
    public var expectedFrameCount: Int? { nil }

    public var decodeErrors: Int {
        condition.lock()
        defer { condition.unlock() }
        return finishedErrors + (current?.decodeErrors ?? 0)
    }

    public func interrupt() {
        condition.lock()
        interrupted = true
        let source = current
        condition.broadcast()
        condition.unlock()
        source?.interrupt()
    }

    public func nextFrame(wantPixels: (Int, Double) -> Bool) throws -> DecodedFrame? {
        while true {
            let source = try connected()
            let indexBase = self.indexBase, ptsBase = self.ptsBase
            let paused = self.paused
            do {
                if var frame = try source.nextFrame(wantPixels: { index, pts in
                    !paused && wantPixels(indexBase + index, ptsBase + pts)
                }) {
                    let (pixels, overflow) = frame.width.multipliedReportingOverflow(by: frame.height)
                    if let limit = maxFramePixels, overflow || pixels > limit {
                        try reconnectLater(after: "frames of \(frame.width)x\(frame.height) have more pixels than this stream's "
                            + "memory budget allows (\(limit)); raise memory_limit_mb or use a smaller stream of the camera")
                        continue
                    }
                    frame.index += indexBase
                    frame.pts += ptsBase
                    if !source.isLive { pace(pts: frame.pts) }
                    noteFrame(frame)
                    return frame
                }
                try reconnectLater(after: "the stream ended")
            } catch {
                if isInterrupted { throw error }
                try reconnectLater(after: String(describing: error))
            }
        }
    }

    // MARK: - Steps

    private var isInterrupted: Bool {
        condition.lock()
        defer { condition.unlock() }
        return interrupted
    }

    /// The open source; opens it (retrying with back-off) when there is none.
    private func connected() throws -> any FrameSource {
        while true {
            condition.lock()
            if interrupted {
                condition.unlock()
                throw MediaError.interrupted(url: "stream")
            }
            if let current {
                condition.unlock()
                return current
            }
            statusValue.state = .connecting
            statusValue.retryIn = nil
            retryDeadline = nil
            condition.unlock()
            do {
                let source = try open()
                condition.lock()
                current = source
                let stop = interrupted
                statusValue.state = .running
                condition.unlock()
                if stop { source.interrupt() }
                sessionStart = .now
                sessionFrames = 0
                pacing = nil
                return source
            } catch {
                if isInterrupted { throw MediaError.interrupted(url: "stream") }
                try backOff(error: "cannot open: \(error)")
            }
        }
    }

    /// Drops the current source and waits out the back-off before the next `connected()`.
    private func reconnectLater(after error: String) throws {
        condition.lock()
        if let current { finishedErrors += current.decodeErrors }
        current = nil
        condition.unlock()
        // Continue numbering after the last frame delivered.
        indexBase = nextIndex
        if let lastPTS, let lastFrameWall {
            ptsBase = lastPTS + max((ContinuousClock.now - lastFrameWall).seconds, 1e-3)
        }
        // A session that ran a while resets the back-off: this is a new failure, not a flapping one.
        if let sessionStart, sessionFrames > 0, (ContinuousClock.now - sessionStart).seconds >= policy.maxDelay {
            delay = policy.initialDelay
        }
        try backOff(error: error)
    }

    private func backOff(error: String) throws {
        let wait = delay
        delay = min(delay * 2, policy.maxDelay)
        failuresSinceFrame += 1
        log(.warning, "stream \(name): \(error); reconnecting in \(Self.seconds(wait))")
        condition.lock()
        statusValue.state = .backingOff
        statusValue.lastError = error
        statusValue.reconnects += 1
        let deadline = ContinuousClock.now + .nanoseconds(Int64(wait * 1e9))
        retryDeadline = deadline
        while !interrupted, ContinuousClock.now < deadline {
            _ = condition.wait(until: Date(timeIntervalSinceNow: (deadline - ContinuousClock.now).seconds))
        }
        retryDeadline = nil
        let stop = interrupted
        condition.unlock()
        if stop { throw MediaError.interrupted(url: "stream") }
    }

    private func noteFrame(_ frame: DecodedFrame) {
        if sessionFrames == 0 {
            condition.lock()
            statusValue.lastError = nil
            condition.unlock()
            if failuresSinceFrame > 0 {
                log(.info, "stream \(name): receiving frames again after \(failuresSinceFrame) failed attempt\(failuresSinceFrame == 1 ? "" : "s")")
            }
            failuresSinceFrame = 0
        }
        nextIndex = frame.index + 1
        lastPTS = frame.pts
        lastFrameWall = .now
        sessionFrames += 1
    }

    private func log(_ level: Logger.Level, _ line: String) {
        let line = redaction.map { line.replacingOccurrences(of: $0.url, with: $0.redacted) } ?? line
        guard let logger, let admitted = limiter.admit(line) else { return }
        logger.log(level: level, "\(admitted)")
    }

    static func seconds(_ value: Double) -> String {
        String(format: "%g s", value)
    }

    /// Sleeps until `pts` is due on the wall clock (files play at their own rate).
    private func pace(pts: Double) {
        guard let pacing else {
            self.pacing = (.now, pts)
            return
        }
        let due = pacing.wall + .nanoseconds(Int64(max(pts - pacing.pts, 0) * 1e9))
        let wait = (due - ContinuousClock.now).seconds
        if wait > 0 {
            condition.lock()
            if !interrupted { _ = condition.wait(until: Date(timeIntervalSinceNow: wait)) }
            condition.unlock()
        }
    }
}

extension Duration {
    /// The duration in seconds.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}
