import Daemon
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A datagram socket standing in for systemd's notification socket.
private final class NotifyListener {
    let fd: Int32
    /// The `NOTIFY_SOCKET` value for this socket.
    let notifySocket: String
    private let path: String?

    /// Binds a path socket in a fresh temporary folder, or an abstract one (`@name`).
    init(abstract: Bool) throws {
        #if os(Linux)
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        #else
        fd = socket(AF_UNIX, SOCK_DGRAM, 0)
        #endif
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var name: [UInt8]
        if abstract {
            let label = "segd-test-\(UUID().uuidString)"
            notifySocket = "@" + label
            name = [0] + Array(label.utf8)
            path = nil
        } else {
            let folder = NSTemporaryDirectory() + "segd-notify-\(UUID().uuidString.prefix(8))"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let path = folder + "/notify.sock"
            notifySocket = path
            name = Array(path.utf8)
            self.path = path
        }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: name) }
        let length = socklen_t(MemoryLayout<sockaddr_un>.offset(of: \sockaddr_un.sun_path)! + name.count + (abstract ? 0 : 1))
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit {
        close(fd)
        if let path {
            try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent)
        }
    }

    /// The next datagram as text, or nil after 5 seconds without one.
    func receive() -> String? {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        return count < 0 ? nil : String(decoding: buffer[..<count], as: UTF8.self)
    }
}

@Suite struct SystemdNotifierTests {
    @Test(arguments: [false, true]) func readyIsOneDatagram(abstract: Bool) throws {
        let listener = try NotifyListener(abstract: abstract)
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": listener.notifySocket])
        #expect(notifier.isEnabled)
        notifier.ready(status: "2 streams running")
        #expect(listener.receive() == "READY=1\nSTATUS=2 streams running")
        notifier.status("dock: reconnecting\nin 4 s")
        #expect(listener.receive() == "STATUS=dock: reconnecting in 4 s")
        notifier.watchdog()
        #expect(listener.receive() == "WATCHDOG=1")
        notifier.stopping(status: "draining")
        #expect(listener.receive() == "STOPPING=1\nSTATUS=draining")
        notifier.notify(["ZED": "1", "ERRNO": "5", "ALPHA": "2"])
        #expect(listener.receive() == "ERRNO=5\nALPHA=2\nZED=1")
    }

    @Test func reloadingCarriesTheMonotonicClock() throws {
        let listener = try NotifyListener(abstract: true)
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": listener.notifySocket])
        notifier.reloading(status: "reloading")
        let lines = try #require(listener.receive()).split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        #expect(lines.first == "RELOADING=1" && lines.last == "STATUS=reloading")
        let microseconds = try #require(UInt64(lines[1].dropFirst("MONOTONIC_USEC=".count)))
        #expect(lines[1].hasPrefix("MONOTONIC_USEC=") && microseconds > 0)
    }

    @Test func withoutNotifySocketNothingHappens() {
        for environment in [[:], ["NOTIFY_SOCKET": ""], ["NOTIFY_SOCKET": "relative/path"], ["NOTIFY_SOCKET": "vsock:2:1234"]] {
            let notifier = SystemdNotifier(environment: environment)
            #expect(!notifier.isEnabled)
            notifier.ready(status: "ok")  // must not crash or block
        }
    }

    @Test func sendFailuresAreIgnored() {
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": "/nonexistent-\(UUID().uuidString)/notify.sock"])
        #expect(notifier.isEnabled)
        notifier.ready(status: "ok")
        notifier.watchdog()
    }

    @Test func watchdogInterval() {
        let pid = String(getpid())
        #expect(SystemdNotifier(environment: ["WATCHDOG_USEC": "30000000"]).watchdogInterval == 15)
        #expect(SystemdNotifier(environment: ["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": pid]).watchdogInterval == 15)
        #expect(SystemdNotifier(environment: ["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": String(getpid() + 1)]).watchdogInterval == nil)
        #expect(SystemdNotifier(environment: ["WATCHDOG_USEC": "0"]).watchdogInterval == nil)
        #expect(SystemdNotifier(environment: ["WATCHDOG_USEC": "soon"]).watchdogInterval == nil)
        #expect(SystemdNotifier(environment: [:]).watchdogInterval == nil)
    }
}
