import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Tells systemd about the daemon's state (sd_notify protocol): readiness, status text,
/// stopping, reloading and watchdog keep-alives, for units with `Type=notify` and `WatchdogSec=`.
///
/// Each message is one datagram of `KEY=VALUE` lines sent to the `AF_UNIX`/`SOCK_DGRAM` socket
/// named by `NOTIFY_SOCKET` (a path, or `@name` for an abstract socket). Sending never blocks and
/// failures are ignored (the first one is logged): the daemon works the same without systemd, and
/// without `NOTIFY_SOCKET` every call does nothing.
public final class SystemdNotifier: @unchecked Sendable {
    /// `NOTIFY_SOCKET` as given, when it names a usable socket.
    public let socketPath: String?
    /// How often to call `watchdog()`: half of `WATCHDOG_USEC`, in seconds, when that is set and
    /// `WATCHDOG_PID` is absent or this process; nil otherwise.
    public let watchdogInterval: Double?

    /// The bytes of `sockaddr_un.sun_path` (a leading 0 for abstract sockets).
    private let address: [UInt8]?
    private let lock = NSLock()
    private var reportedFailure = false
    private let logger = Logger(label: "segd.systemd")

    /// Reads `NOTIFY_SOCKET`, `WATCHDOG_USEC` and `WATCHDOG_PID` from `environment`.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        let socket = environment["NOTIFY_SOCKET"] ?? ""
        address = Self.address(for: socket)
        socketPath = address == nil ? nil : socket
        watchdogInterval = Self.watchdogInterval(environment)
    }

    /// Whether `NOTIFY_SOCKET` names a socket, i.e. whether the daemon runs under systemd with
    /// `Type=notify` (or `NotifyAccess=`).
    public var isEnabled: Bool { address != nil }

    /// `READY=1`: start-up is complete. Also send it again after a reload.
    public func ready(status: String) {
        notify(["READY": "1", "STATUS": status])
    }

    /// `STATUS=`: one line shown by `systemctl status`.
    public func status(_ text: String) {
        notify(["STATUS": text])
    }

    /// `STOPPING=1`: shutdown has begun.
    public func stopping(status: String) {
        notify(["STOPPING": "1", "STATUS": status])
    }

    /// `RELOADING=1` with `MONOTONIC_USEC`: a configuration reload has begun; send `ready(status:)`
    /// when it is done.
    public func reloading(status: String) {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let microseconds = UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1_000
        notify(["RELOADING": "1", "MONOTONIC_USEC": String(microseconds), "STATUS": status])
    }

    /// `WATCHDOG=1`: the keep-alive, due every `watchdogInterval` seconds.
    public func watchdog() {
        notify(["WATCHDOG": "1"])
    }

    /// Sends `fields` as one datagram, `KEY=VALUE` lines joined by `\n`. State keys come first in
    /// sd_notify's usual order (`READY`, `RELOADING`, `STOPPING`, `MONOTONIC_USEC`, `STATUS`,
    /// `ERRNO`, `MAINPID`, `WATCHDOG`), then any others by name. Newlines in values become spaces.
    public func notify(_ fields: [String: String]) {
        guard let address, !fields.isEmpty else { return }
        let message = Self.message(fields)
        if let failure = Self.send(message, to: address) {
            lock.lock()
            let first = !reportedFailure
            reportedFailure = true
            lock.unlock()
            if first {
                logger.warning("cannot notify systemd at \(socketPath ?? ""): \(failure); further failures are not logged")
            }
        }
    }

    private static let keyOrder = ["READY", "RELOADING", "STOPPING", "MONOTONIC_USEC", "STATUS", "ERRNO", "MAINPID", "WATCHDOG"]

    static func message(_ fields: [String: String]) -> String {
        let ordered = fields.keys.sorted { a, b in
            let ia = keyOrder.firstIndex(of: a) ?? keyOrder.count, ib = keyOrder.firstIndex(of: b) ?? keyOrder.count
            return ia != ib ? ia < ib : a < b
        }
        return ordered.map { key in
            let value = fields[key]!.replacingOccurrences(of: "\r\n", with: " ").replacingOccurrences(of: "\n", with: " ")
            return "\(key)=\(value)"
        }.joined(separator: "\n")
    }
}
