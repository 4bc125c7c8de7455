import Foundation

/// Bounds how often one subject (a stream) may log: a burst of `burst` lines, then one line per
/// `interval` seconds (a token bucket). Lines over the limit are counted, and the next line that
/// is let through says how many were left out, so a source that fails forever costs a few log
/// lines a minute instead of one per reconnect attempt. Thread-safe.
public final class LogRateLimiter: @unchecked Sendable {
    public let burst: Int
    public let interval: Double
    private let now: @Sendable () -> Double
    private let lock = NSLock()
    private var tokens: Double
    private var updated: Double
    private var suppressed = 0

    /// - Parameters:
    ///   - burst: lines allowed at once (at least 1).
    ///   - interval: seconds to earn one more line (positive).
    ///   - now: the clock, in seconds (tests pass their own).
    public init(burst: Int = 5, interval: Double = 60,
                now: @escaping @Sendable () -> Double = { ProcessInfo.processInfo.systemUptime }) {
        self.burst = max(burst, 1)
        self.interval = interval > 0 ? interval : 1
        self.now = now
        tokens = Double(self.burst)
        updated = now()
    }

    /// The line to log, with ` (N similar lines not logged)` appended when lines were left out
    /// since the last one, or nil when this line is over the limit.
    public func admit(_ line: String) -> String? {
        lock.withLock {
            let t = now()
            tokens = min(Double(burst), tokens + (t - updated) / interval)
            updated = t
            guard tokens >= 1 else {
                suppressed += 1
                return nil
            }
            tokens -= 1
            defer { suppressed = 0 }
            return suppressed == 0 ? line : line + " (\(suppressed) similar line\(suppressed == 1 ? "" : "s") not logged)"
        }
    }
}
