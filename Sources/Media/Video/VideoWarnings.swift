import Foundation

extension VideoSource {
    /// Receives `VideoSource`'s warnings (damaged packets and frames that were skipped, a file
    /// that ended early), one line each, rate-limited per source. Defaults to writing them to
    /// stderr; set to nil to drop them, or to a function that forwards them to your logger.
    public static var warningHandler: (@Sendable (String) -> Void)? {
        get { warningSink.withLock { $0 } }
        set { warningSink.withLock { $0 = newValue } }
    }
}

/// The handler, behind a lock because any thread may read or replace it.
private let warningSink = LockedValue<(@Sendable (String) -> Void)?>({ message in
    let line = Array("segd: warning: \(message)\n".utf8)
    line.withUnsafeBytes { _ = write(2, $0.baseAddress, $0.count) }
})

final class LockedValue<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    init(_ value: Value) { self.value = value }
    func withLock<R>(_ body: (inout Value) -> R) -> R {
        lock.lock(); defer { lock.unlock() }
        return body(&value)
    }
}

/// Passes at most one warning per second to `VideoSource.warningHandler`; the next one that
/// passes says how many were held back, so a badly damaged stream cannot flood the log.
struct WarningLimiter {
    private var lastReport: UInt64? = nil
    private var suppressed = 0

    mutating func report(_ message: String) {
        let now = DispatchTime.now().uptimeNanoseconds
        if let lastReport, now &- lastReport < 1_000_000_000 {
            suppressed += 1
            return
        }
        lastReport = now
        let text = suppressed > 0 ? "\(message) (and \(suppressed) similar warnings suppressed)" : message
        suppressed = 0
        VideoSource.warningHandler?(text)
    }
}
