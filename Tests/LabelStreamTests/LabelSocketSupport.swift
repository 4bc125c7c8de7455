#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import LabelStream

/// Helpers shared by the socket tests: short temp paths, records, readers on their own
/// threads, raw POSIX clients.
enum SocketTestSupport {
    /// A fresh directory /tmp/segd-test-XXXXXX (short, for the 107-byte socket path limit).
    static func makeDirectory() throws -> String {
        var template = Array("/tmp/segd-test-XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
        return String(cString: made)
    }

    static func removeDirectory(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// A record whose line is about `payloadBytes` long.
    static func record(frame: Int, payloadBytes: Int = 0) -> FrameRecord {
        let counts = String(repeating: "a", count: max(1, payloadBytes))
        return FrameRecord(
            stream: "test", frame: frame, pts: Double(frame) / 25, keyframe: frame % 2 == 0, vocabVersion: 1,
            width: 64, height: 48,
            segments: [SegmentRecord(id: 1, label: "forklift", category: 0, isThing: true, score: 0.5,
                                     area: 10, bbox: [1, 2, 3, 4], rle: RLERecord(size: [48, 64], counts: counts))])
    }

    /// Polls `condition` until it holds or `timeout` seconds pass; returns whether it held.
    static func waitUntil(timeout: Double = 10, _ condition: () -> Bool) -> Bool {
        let end = Date().addingTimeInterval(timeout)
        while Date() < end {
            if condition() { return true }
            usleep(2_000)
        }
        return condition()
    }

    /// A raw connected socket (for clients that misbehave), or -1.
    static func rawConnect(_ path: String) -> Int32 {
        #if canImport(Glibc)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_UNIX, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { return -1 }
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
        if rc != 0 {
            _ = close(fd)
            return -1
        }
        return fd
    }

    /// Creates a socket file at `path` that nobody listens on (as a crashed server leaves).
    static func makeStaleSocket(_ path: String) -> Bool {
        #if canImport(Glibc)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_UNIX, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { return false }
        defer { _ = close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        return rc == 0
    }

    /// Sends `bytes` bytes of garbage on `fd` (no SIGPIPE); returns how many were sent.
    static func sendGarbage(_ fd: Int32, bytes: Int) -> Int {
        let chunk = [UInt8](repeating: 0x7B, count: 64 * 1024)
        var sent = 0
        while sent < bytes {
            let n = chunk.withUnsafeBytes { raw in
                #if canImport(Glibc)
                send(fd, raw.baseAddress, min(raw.count, bytes - sent), Int32(MSG_NOSIGNAL))
                #else
                send(fd, raw.baseAddress, min(raw.count, bytes - sent), 0)
                #endif
            }
            if n < 0 {
                if errno == EINTR { continue }
                break
            }
            sent += n
        }
        return sent
    }
}

/// A `LabelSocketClient` read on its own thread: collects records until end of stream, an
/// error, or `limit` records.
final class BackgroundReader: @unchecked Sendable {
    let client: LabelSocketClient
    private let lock = NSLock()
    private var records: [FrameRecord] = []
    private var failure: Error?
    private var ended = false
    private let done = DispatchSemaphore(value: 0)

    init(path: String, timeout: Double = 30) throws {
        client = try LabelSocketClient(path: path, timeout: timeout)
    }

    /// Starts reading; stops after `limit` records, at end of stream, or on an error.
    func start(limit: Int = .max) {
        let thread = Thread { [self] in
            var count = 0
            do {
                while count < limit, let record = try client.nextRecord() {
                    lock.withLock { records.append(record) }
                    count += 1
                }
                if count < limit { lock.withLock { ended = true } }
            } catch {
                lock.withLock { failure = error }
            }
            done.signal()
        }
        thread.start()
    }

    /// Waits for the reading thread to stop; false on timeout.
    func wait(timeout: Double = 30) -> Bool {
        done.wait(timeout: .now() + timeout) == .success
    }

    var received: [FrameRecord] { lock.withLock { records } }
    var count: Int { lock.withLock { records.count } }
    var error: Error? { lock.withLock { failure } }
    /// Whether the stream ended (the server closed) before `limit`.
    var reachedEnd: Bool { lock.withLock { ended } }
}
