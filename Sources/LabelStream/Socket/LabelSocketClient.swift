#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A blocking reader of a label-stream socket (`segd --socket PATH`): connects to `path` and
/// returns the stream one line (or one decoded `FrameRecord`) at a time. Plain POSIX; not
/// thread-safe (use one client from one thread at a time).
public final class LabelSocketClient {
    /// The socket's path.
    public let path: String
    /// The longest line accepted before `nextLine()` throws `.lineTooLong`.
    public static let maxLineBytes = 256 << 20

    private var fd: Int32
    private let timeout: Double?
    /// Received bytes; `buffer[head...]` is not yet returned.
    private var buffer: [UInt8] = []
    private var head = 0
    /// `buffer[head..<scanned]` holds no newline.
    private var scanned = 0
    private var chunk = [UInt8](repeating: 0, count: 64 * 1024)
    private var atEnd = false
    private let decoder = JSONDecoder()

    /// Connects to `path`. With `timeout`, connecting and each read give up after that many
    /// seconds (`LabelSocketError.timedOut`); without, they wait indefinitely.
    ///
    /// - Throws: `LabelSocketError`: `.noSocket` (nothing at `path`), `.notListening` (stale
    ///   socket file), `.permissionDenied`, `.pathTooLong`, `.timedOut` or `.connectFailed`.
    public init(path: String, timeout: Double? = nil) throws {
        try UnixSocketAddress.validate(path)
        self.path = path
        self.timeout = timeout
        let fd = UnixSocketAddress.makeSocket()
        guard fd >= 0 else {
            throw LabelSocketError.connectFailed(path: path, reason: UnixSocketAddress.message(errno))
        }
        self.fd = fd
        if let timeout, timeout > 0 {
            var tv = timeval(tv_sec: Int(timeout), tv_usec: .init((timeout - timeout.rounded(.down)) * 1e6))
            _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
            _ = setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        }
        #if canImport(Darwin)
        var one: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, socklen_t(MemoryLayout<Int32>.size))
        #endif
        while true {
            let rc = UnixSocketAddress.withAddress(path) { connect(fd, $0, $1) }
            if rc == 0 { break }
            let code = errno
            if code == EINTR { continue }
            close()
            throw Self.connectError(code, path: path, timeout: timeout)
        }
    }

    deinit {
        close()
    }

    /// Closes the connection; later reads return nil. Idempotent.
    public func close() {
        if fd >= 0 {
            _ = closeDescriptor(fd)
            fd = -1
        }
        atEnd = true
    }

    /// The next line without its newline, or nil at end of stream (the server closed).
    ///
    /// - Throws: `.truncatedLine` when the stream ends inside a line, `.timedOut`,
    ///   `.lineTooLong`, `.readFailed`.
    public func nextLine() throws -> String? {
        while true {
            if let newline = buffer[scanned...].firstIndex(of: 0x0A) {
                let line = String(decoding: buffer[head..<newline], as: UTF8.self)
                head = newline + 1
                scanned = head
                compact()
                return line
            }
            scanned = buffer.count
            if atEnd {
                let rest = buffer.count - head
                head = buffer.count
                scanned = head
                if rest > 0 { throw LabelSocketError.truncatedLine(path: path, bytes: rest) }
                return nil
            }
            if buffer.count - head > Self.maxLineBytes {
                throw LabelSocketError.lineTooLong(path: path, limit: Self.maxLineBytes)
            }
            try receive()
        }
    }

    /// The next record, or nil at end of stream.
    ///
    /// - Throws: what `nextLine()` throws, and `.invalidRecord` for a line that does not
    ///   decode as a `FrameRecord`.
    public func nextRecord() throws -> FrameRecord? {
        while let message = try nextMessage() {
            if case .frame(let record) = message { return record }
        }
        return nil
    }

    /// A line of the label stream: a frame record or an object event.
    public enum Message: Sendable, Equatable {
        case frame(FrameRecord)
        case event(TrackEvent)
    }

    /// The next record or event, or nil at end of stream. A line whose `"type"` is `"event"` is
    /// an event; any other line (also one without `type`, from an older segd) a record.
    ///
    /// - Throws: what `nextLine()` throws, and `.invalidRecord` for a line that decodes as neither.
    public func nextMessage() throws -> Message? {
        guard let line = try nextLine() else { return nil }
        do {
            let data = Data(line.utf8)
            if line.contains("\"type\":\"event\""), let kind = try? decoder.decode(Kind.self, from: data), kind.type == "event" {
                return .event(try decoder.decode(TrackEvent.self, from: data))
            }
            return .frame(try decoder.decode(FrameRecord.self, from: data))
        } catch {
            throw LabelSocketError.invalidRecord(path: path, reason: String(describing: error))
        }
    }

    private struct Kind: Decodable { var type: String? }

    /// Drops returned bytes once they are most of the buffer.
    private func compact() {
        if head == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            head = 0
            scanned = 0
        } else if head >= 64 * 1024 && head * 2 >= buffer.count {
            buffer.removeSubrange(0..<head)
            scanned -= head
            head = 0
        }
    }

    /// Reads what is available (at least one byte, or sets `atEnd`).
    private func receive() throws {
        guard fd >= 0 else { atEnd = true; return }
        while true {
            let fd = self.fd
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 {
                buffer.append(contentsOf: chunk[0..<n])
                return
            }
            if n == 0 {
                atEnd = true
                return
            }
            switch errno {
            case EINTR:
                continue
            case EAGAIN, EWOULDBLOCK:
                throw LabelSocketError.timedOut(path: path, seconds: timeout ?? 0)
            case ECONNRESET:
                // The server closed while input we sent was unread: the stream ended.
                atEnd = true
                return
            case let code:
                throw LabelSocketError.readFailed(path: path, reason: UnixSocketAddress.message(code))
            }
        }
    }

    private static func connectError(_ code: Int32, path: String, timeout: Double?) -> LabelSocketError {
        switch code {
        case ENOENT, ENOTDIR: return .noSocket(path: path)
        case ECONNREFUSED, ENOTSOCK: return .notListening(path: path)
        case EACCES, EPERM: return .permissionDenied(path: path)
        case EAGAIN, ETIMEDOUT, EINPROGRESS: return .timedOut(path: path, seconds: timeout ?? 0)
        default: return .connectFailed(path: path, reason: UnixSocketAddress.message(code))
        }
    }
}

/// `close(2)`, out of reach of the method of the same name.
private func closeDescriptor(_ fd: Int32) -> Int32 {
    #if canImport(Glibc)
    return Glibc.close(fd)
    #elseif canImport(Musl)
    return Musl.close(fd)
    #else
    return Darwin.close(fd)
    #endif
}
