import Daemon
import FCCLIP
import Foundation
import Logging
import Media
import Pipeline
import Testing

/// A scripted input: `frames` frames at 10 fps, then ends (nil) or fails.
private final class ScriptedSource: FrameSource, @unchecked Sendable {
    let frames: Int
    let failure: Error?
    var next = 0
    init(frames: Int, failure: Error? = nil) {
        self.frames = frames
        self.failure = failure
    }

    func nextFrame(wantPixels: (Int, Double) -> Bool) throws -> DecodedFrame? {
        guard next < frames else {
            if let failure { throw failure }
            return nil
        }
        defer { next += 1 }
        let pts = Double(next) / 10
        let image = wantPixels(next, pts) ? try RGBImage(width: 2, height: 2, pixels: [UInt8](repeating: 9, count: 12)) : nil
        return DecodedFrame(index: next, pts: pts, width: 2, height: 2, image: image, isKeyframe: next == 0, motionVectors: nil)
    }

    func interrupt() {}
    var decodeErrors: Int { 1 }
    var isLive: Bool { true }
    var expectedFrameCount: Int? { nil }
}

@Suite struct ReconnectingSourceTests {
    struct Refused: Error, CustomStringConvertible {
        var description: String { "connection refused" }
    }

    /// Opening fails twice (back-off 0.05 s then 0.1 s), then a session of 3 frames ends and a
    /// second session of 2 frames follows: frame numbers continue 0…4, pts keep increasing,
    /// each failure and end counts as a reconnect, decode errors add up over sessions.
    @Test func reopensWithBackOffAndKeepsNumbering() throws {
        let attempts = Counter()
        let source = ReconnectingSource(policy: ReconnectPolicy(initialDelay: 0.05, maxDelay: 1, stallTimeout: 1)) {
            switch attempts.increment() {
            case 1, 2: throw Refused()
            case 3: return ScriptedSource(frames: 3)
            default: return ScriptedSource(frames: 2, failure: MediaError.stalled(url: "x", seconds: 1))
            }
        }
        let start = Date()
        var frames: [DecodedFrame] = []
        for _ in 0..<5 { frames.append(try #require(try source.nextFrame { _, _ in true })) }
        let elapsed = Date().timeIntervalSince(start)
        #expect(frames.map(\.index) == [0, 1, 2, 3, 4])
        #expect(zip(frames, frames.dropFirst()).allSatisfy { $0.pts < $1.pts })
        #expect(elapsed >= 0.05 + 0.1 + 0.2, "back-off 0.05, 0.1, then 0.2 after the first session ended")
        let status = source.status
        #expect(status.reconnects == 3)
        #expect(status.state == .running)
        #expect(status.lastError == nil, "a stream that delivers frames again has no last error")
        #expect(source.decodeErrors == 2)
    }

    /// Failures and the recovery are logged, escaped by nothing here but the stream name and
    /// error; the last error is shown while failing and cleared by the first frame after it.
    @Test func logsFailuresAndRecoveryAndClearsTheLastError() throws {
        let attempts = Counter()
        let sink = CapturingLogHandler.Sink()
        let logger = Logger(label: "test") { _ in CapturingLogHandler(sink: sink) }
        let gate = DispatchSemaphore(value: 0)
        let source = ReconnectingSource(policy: ReconnectPolicy(initialDelay: 0.02, maxDelay: 0.05, stallTimeout: 1),
                                        name: "dock", logger: logger) {
            switch attempts.increment() {
            case 1, 2, 3: throw Refused()
            default:
                gate.wait()
                return ScriptedSource(frames: 2)
            }
        }
        let frames = Counter()
        Thread {
            for _ in 0..<2 { if (try? source.nextFrame { _, _ in true }) != nil { _ = frames.increment() } }
        }.start()
        try waitFor { attempts.value >= 4 }
        #expect(source.status.lastError == "cannot open: connection refused", "shown while the source fails")
        gate.signal()
        try waitFor { frames.value == 2 }
        #expect(source.status.lastError == nil)
        let lines = sink.lines
        #expect(lines.filter { $0 == "stream dock: cannot open: connection refused; reconnecting in 0.02 s" }.count == 1, "\(lines)")
        #expect(lines.filter { $0.hasPrefix("stream dock: cannot open: connection refused; reconnecting in") }.count == 3, "\(lines)")
        #expect(lines.last == "stream dock: receiving frames again after 3 failed attempts", "\(lines)")
        #expect(sink.events.filter { $0.level == .warning }.count == 3)
        source.interrupt()
    }

    /// Frames larger than the memory budget allows are not delivered: the source counts as
    /// failed with a message that says why, and is retried with back-off.
    @Test func framesOverThePixelBoundFailTheSourceAlone() throws {
        let source = ReconnectingSource(policy: ReconnectPolicy(initialDelay: 30, maxDelay: 30, stallTimeout: 1)) {
            ScriptedSource(frames: 5)
        }
        source.maxFramePixels = 3
        let done = DispatchSemaphore(value: 0)
        let delivered = Counter()
        Thread {
            if (try? source.nextFrame { _, _ in true }) != nil { _ = delivered.increment() }
            done.signal()
        }.start()
        try waitFor { source.status.state == .backingOff }
        #expect(source.status.lastError?.contains("frames of 2x2 have more pixels than this stream's memory budget allows (3)") == true,
                "\(String(describing: source.status.lastError))")
        source.interrupt()
        #expect(done.wait(timeout: .now() + 5) == .success)
        #expect(delivered.value == 0)
    }

    /// A burst, then one line per interval; the next line let through counts those left out.
    @Test func rateLimiterAllowsABurstThenOneLinePerInterval() {
        let clock = Clock()
        let limiter = LogRateLimiter(burst: 2, interval: 10, now: { clock.now })
        #expect(limiter.admit("a") == "a")
        #expect(limiter.admit("b") == "b")
        #expect(limiter.admit("c") == nil)
        #expect(limiter.admit("d") == nil)
        clock.now = 9
        #expect(limiter.admit("e") == nil)
        clock.now = 10
        #expect(limiter.admit("f") == "f (3 similar lines not logged)")
        #expect(limiter.admit("g") == nil)
        clock.now = 100
        #expect(limiter.admit("h") == "h (1 similar line not logged)")
        #expect(limiter.admit("i") == "i", "the bucket refilled to its burst, no more")
        #expect(limiter.admit("j") == nil)
    }

    final class Clock: @unchecked Sendable {
        private let lock = NSLock()
        private var value = 0.0
        var now: Double {
            get { lock.withLock { value } }
            set { lock.withLock { value = newValue } }
        }
    }

    /// interrupt() ends a back-off wait at once and every later read throws.
    @Test func interruptEndsABackOffWait() throws {
        let source = ReconnectingSource(policy: ReconnectPolicy(initialDelay: 30, maxDelay: 30, stallTimeout: 1)) { throw Refused() }
        let done = DispatchSemaphore(value: 0)
        let thrown = Counter()
        Thread {
            do { _ = try source.nextFrame { _, _ in true } } catch { _ = thrown.increment() }
            done.signal()
        }.start()
        try waitFor { source.status.state == .backingOff }
        #expect(source.status.lastError == "cannot open: connection refused")
        #expect((source.status.retryIn ?? 0) > 20)
        source.interrupt()
        #expect(done.wait(timeout: .now() + 5) == .success)
        #expect(thrown.value == 1)
    }

    /// While paused, frames are read but not converted (the pipeline counts them as not selected).
    @Test func pausedFramesAreNotConverted() throws {
        let source = ReconnectingSource(policy: ReconnectPolicy()) { ScriptedSource(frames: 10) }
        #expect(try source.nextFrame { _, _ in true }?.image != nil)
        source.paused = true
        #expect(try source.nextFrame { _, _ in true }?.image == nil)
        #expect(source.status.state == .paused)
        source.paused = false
        #expect(try source.nextFrame { _, _ in true }?.image != nil)
    }
}

/// A thread-safe counter for test closures.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() -> Int {
        lock.lock()
        defer { lock.unlock() }
        count += 1
        return count
    }

    var value: Int {
        lock.lock()
        defer { lock.unlock() }
        return count
    }
}

/// Polls `condition` every 10 ms for up to `timeout` seconds.
func waitFor(timeout: Double = 10, _ condition: () -> Bool) throws {
    let deadline = Date().addingTimeInterval(timeout)
    while !condition() {
        guard Date() < deadline else {
            struct Timeout: Error {}
            throw Timeout()
        }
        Thread.sleep(forTimeInterval: 0.01)
    }
}
