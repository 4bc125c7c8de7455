import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A FIFO (named pipe) at `path`, made with mkfifo(3).
func makeFIFO(_ path: String) throws {
    guard mkfifo(path, 0o600) == 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
}

/// Runs `body` while a helper thread keeps offering the FIFO at `path` a writer that closes at
/// once. Code that (wrongly) opens the FIFO and waits for a writer then gets one and reads an
/// empty file, so a regression fails its assertions instead of hanging the test run. Code that
/// (rightly) never waits is unaffected.
func withFIFOUnblocker<R>(_ path: String, _ body: () throws -> R) rethrows -> R {
    let done = NSCondition()
    nonisolated(unsafe) var stop = false
    let thread = Thread {
        while true {
            done.lock()
            if stop { done.unlock(); return }
            _ = done.wait(until: Date().addingTimeInterval(0.05))
            done.unlock()
            // Succeeds only while a reader has the FIFO open.
            let fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC)
            if fd >= 0 { close(fd) }
        }
    }
    thread.start()
    defer {
        done.lock()
        stop = true
        done.signal()
        done.unlock()
    }
    return try body()
}
