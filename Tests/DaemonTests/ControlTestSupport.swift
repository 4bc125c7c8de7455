#if canImport(Glibc)
import Glibc
private let sysClose = Glibc.close
private let sysSend = Glibc.send
private let sysRecv = Glibc.recv
private let noSignal = Int32(MSG_NOSIGNAL)
private let dontWait = Int32(MSG_DONTWAIT)
#elseif canImport(Darwin)
import Darwin
private let sysClose = Darwin.close
private let sysSend = Darwin.send
private let sysRecv = Darwin.recv
private let noSignal: Int32 = 0
private let dontWait = MSG_DONTWAIT
#endif
import Daemon
import Foundation

/// A `DaemonControl` with two streams, "dock" and "gate", that records what it is asked.
final class FakeControl: DaemonControl, @unchecked Sendable {
    private let lock = NSLock()
    private var statuses: [StreamStatus] = [
        StreamStatus(name: "dock", url: "rtsp://cam/1", state: .running, vocabulary: "coco", vocabVersion: 1,
                     framesDecoded: 100, framesProcessed: 90, framesSkipped: 10, subscribers: 2),
        StreamStatus(name: "gate", url: "file:///v/gate.mp4", state: .backingOff, lastError: "connection refused",
                     retryIn: 4, vocabulary: "thing: person", vocabVersion: 3, reconnects: 2),
    ]
    private(set) var calls: [String] = []
    /// When set, `reload()` blocks until it is signalled, to check that a slow call does not
    /// block the event loop: it stays slow for as long as the test wants.
    var reloadGate: DispatchSemaphore?

    func streamStatuses() -> [StreamStatus] {
        lock.withLock {
            calls.append("list")
            return statuses
        }
    }

    func setVocabulary(stream: String, vocabulary: String) throws -> Int {
        try lock.withLock {
            calls.append("vocab \(stream) \(vocabulary)")
            guard let index = statuses.firstIndex(where: { $0.name == stream }) else {
                throw ControlError("unknown stream \"\(stream)\"")
            }
            if vocabulary == "@/missing" { throw ControlError("cannot read vocabulary file /missing") }
            statuses[index].vocabulary = vocabulary
            statuses[index].vocabVersion += 1
            return statuses[index].vocabVersion
        }
    }

    func pause(stream: String) throws {
        try setState(stream, .paused, call: "pause")
    }

    func resume(stream: String) throws {
        try setState(stream, .running, call: "resume")
    }

    func reload() throws -> String {
        let gate = lock.withLock {
            calls.append("reload")
            return reloadGate
        }
        gate?.wait()
        return "reloaded: 0 added, 1 changed, 0 removed"
    }

    private func setState(_ stream: String, _ state: StreamStatus.State, call: String) throws {
        try lock.withLock {
            calls.append("\(call) \(stream)")
            guard let index = statuses.firstIndex(where: { $0.name == stream }) else {
                throw ControlError("unknown stream \"\(stream)\"")
            }
            statuses[index].state = state
        }
    }

    var recordedCalls: [String] { lock.withLock { calls } }
}

/// A fresh socket path in a fresh temporary directory (short enough for `sockaddr_un`).
func temporarySocketPath(_ name: String = "c.sock") throws -> String {
    let directory = "/tmp/segd-ctl-\(UUID().uuidString.prefix(8))"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    return directory + "/" + name
}

/// Removes the socket's temporary directory.
func removeSocketDirectory(_ path: String) {
    try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent)
}

/// A raw client socket for misbehaving on purpose: plain POSIX, non-blocking when asked.
final class RawSocket {
    private(set) var fd: Int32

    init(path: String, nonBlocking: Bool = false) throws {
        #if canImport(Glibc)
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        #else
        fd = socket(AF_UNIX, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw RawSocketError("socket: \(errno)") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard rc == 0 else {
            let code = errno
            _ = sysClose(fd)
            throw RawSocketError("connect: \(code)")
        }
        if nonBlocking { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
    }

    deinit { close() }

    func close() {
        if fd >= 0 { _ = sysClose(fd) }
        fd = -1
    }

    /// Sends what it can; returns the bytes sent (fewer when a non-blocking socket is full,
    /// -1 on an error such as EPIPE).
    @discardableResult
    func send(_ bytes: [UInt8]) -> Int {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { raw in
                sysSend(fd, raw.baseAddress! + offset, raw.count - offset, noSignal)
            }
            if n > 0 { offset += n; continue }
            if n < 0 && errno == EINTR { continue }
            if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { return offset }
            return offset > 0 ? offset : -1
        }
        return offset
    }

    @discardableResult
    func send(_ text: String) -> Int { send(Array(text.utf8)) }

    /// Waits up to `timeout` seconds for readable data or end of stream.
    func waitReadable(timeout: Double) -> Bool {
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, Int32(timeout * 1000)) > 0
    }

    /// Reads one line (without the newline) within `timeout` seconds; nil at end of stream,
    /// on a reset or on timeout.
    func readLine(timeout: Double = 5) -> String? {
        var line: [UInt8] = []
        let deadline = Date().addingTimeInterval(timeout)
        var byte: UInt8 = 0
        while true {
            let left = deadline.timeIntervalSinceNow
            guard left > 0, waitReadable(timeout: left) else { return nil }
            let n = sysRecv(fd, &byte, 1, 0)
            if n <= 0 { return nil }
            if byte == UInt8(ascii: "\n") { return String(decoding: line, as: UTF8.self) }
            line.append(byte)
        }
    }

    /// Reads and discards everything until the server closes (true) or `timeout` passes (false).
    func drainUntilClosed(timeout: Double) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let left = deadline.timeIntervalSinceNow
            guard left > 0 else { return false }
            guard waitReadable(timeout: left) else { return false }
            let n = chunk.withUnsafeMutableBytes { sysRecv(fd, $0.baseAddress, $0.count, dontWait) }
            if n == 0 { return true }
            if n < 0 {
                if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { continue }
                return true  // ECONNRESET: closed with our input unread.
            }
        }
    }

    /// Shuts down the sending side (the server sees end of input).
    func shutdownWrite() {
        _ = shutdown(fd, Int32(SHUT_WR))
    }
}

struct RawSocketError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A socket bound and listening at a path, closed without removing its file: what a crashed
/// daemon leaves behind.
final class RawListeningSocket {
    private var fd: Int32

    init(path: String) throws {
        #if canImport(Glibc)
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        #else
        fd = socket(AF_UNIX, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw RawSocketError("socket: \(errno)") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let fd = self.fd
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard rc == 0, listen(fd, 1) == 0 else { throw RawSocketError("bind/listen: \(errno)") }
    }

    func closeWithoutUnlinking() {
        if fd >= 0 { _ = sysClose(fd) }
        fd = -1
    }

    deinit { closeWithoutUnlinking() }
}
