import CFFmpeg
import Dispatch
import Foundation

/// What FFmpeg's interrupt callback consults while a `VideoSource` blocks in I/O: a deadline
/// (reset before each blocking call) and an "interrupted" flag set by `VideoSource.interrupt()`.
///
/// FFmpeg calls the callback repeatedly from inside blocking reads (the network protocols poll
/// in slices of about 100 ms); returning 1 makes the read fail with `AVERROR_EXIT`. Afterwards
/// `timedOut` / `isInterrupted` tell the caller which of the two ended it.
final class InterruptState: @unchecked Sendable {
    private let lock = NSLock()
    private var deadline: UInt64 = .max
    private var interrupted = false
    private var expired = false

    /// Allows the next blocking call `seconds` from now (non-positive or infinite: no limit).
    func resetDeadline(seconds: Double) {
        let now = DispatchTime.now().uptimeNanoseconds
        let limit: UInt64 = seconds > 0 && seconds < 1e9 ? now &+ UInt64(seconds * 1e9) : .max
        lock.lock(); deadline = limit; expired = false; lock.unlock()
    }

    /// Removes the deadline (between calls, so that e.g. closing never times out).
    func clearDeadline() {
        lock.lock(); deadline = .max; lock.unlock()
    }

    /// Makes the current and every later blocking call stop. Thread-safe.
    func interrupt() {
        lock.lock(); interrupted = true; lock.unlock()
    }

    var isInterrupted: Bool { lock.lock(); defer { lock.unlock() }; return interrupted }
    /// Whether the deadline passed during the last blocking call.
    var timedOut: Bool { lock.lock(); defer { lock.unlock() }; return expired }

    /// Whether FFmpeg should abort the blocking call now.
    func shouldAbort() -> Bool {
        let now = DispatchTime.now().uptimeNanoseconds
        lock.lock(); defer { lock.unlock() }
        if interrupted { return true }
        if now >= deadline { expired = true; return true }
        return false
    }

    /// The callback to store in `AVFormatContext.interrupt_callback`; `self` must outlive the context.
    func callback() -> AVIOInterruptCB {
        AVIOInterruptCB(
            callback: { opaque in
                guard let opaque else { return 0 }
                return Unmanaged<InterruptState>.fromOpaque(opaque).takeUnretainedValue().shouldAbort() ? 1 : 0
            },
            opaque: Unmanaged.passUnretained(self).toOpaque())
    }
}
