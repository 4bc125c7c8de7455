#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import LabelStream

/// A blocking client of the control socket (what `segd ctl` uses): connects to `path`, then
/// sends requests and reads their responses one at a time. Plain POSIX; use one client from one
/// thread at a time.
public final class ControlClient {
    /// The default control socket path (`control_socket` in the config).
    public static let defaultPath = "/run/segd/control.sock"
    /// The longest response line accepted (a `list` of many streams is still far below it).
    public static let maxResponseBytes = 16 << 20

    /// The socket's path.
    public let path: String
    /// Seconds that connecting, sending and each wait for a response may take; nil waits forever.
    public let timeout: Double?

    private var fd: Int32
    private var buffer: [UInt8] = []
    private var chunk = [UInt8](repeating: 0, count: 16 * 1024)

    /// Connects to `path`.
    ///
    /// - Throws: `ControlSocketError`: `.noSocket` (nothing at `path`), `.notListening` (a stale
    ///   socket file), `.permissionDenied` (naming the socket's group), `.pathTooLong`,
    ///   `.timedOut` or `.connectFailed`.
    public init(path: String = ControlClient.defaultPath, timeout: Double? = 30) throws {
        try ControlSocketError.validate(path)
        self.path = path
        self.timeout = timeout
        let fd = UnixSocketAddress.makeSocket()
        guard fd >= 0 else {
            throw ControlSocketError.connectFailed(path: path, reason: UnixSocketAddress.message(errno))
        }
        self.fd = fd
        if let timeout, timeout > 0 {
            let seconds = timeout.rounded(.down)
            var tv = timeval(tv_sec: .init(seconds), tv_usec: .init((timeout - seconds) * 1e6))
            _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
            _ = setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        }
        #if canImport(Darwin)
        var one: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, socklen_t(MemoryLayout<Int32>.size))
        #endif
        while true {
            if UnixSocketAddress.withAddress(path, { connect(fd, $0, $1) }) == 0 { break }
            let code = errno
            if code == EINTR { continue }
            close()
            throw connectError(code)
        }
    }

    deinit {
        close()
    }

    /// Closes the connection. Idempotent.
    public func close() {
        if fd >= 0 {
            _ = closeDescriptor(fd)
            fd = -1
        }
    }

    /// Sends `request` and waits for its response.
    ///
    /// A response with `ok: false` is returned, not thrown: the caller decides how to report it.
    /// - Throws: `ControlSocketError`: `.timedOut`, `.ioFailed`, `.closedWithoutResponse`,
    ///   `.responseTooLong`, `.invalidResponse`.
    public func send(_ request: ControlRequest) throws -> ControlResponse {
        let line = try sendLine(request.jsonLine())
        do {
            return try JSONDecoder().decode(ControlResponse.self, from: Data(line))
        } catch {
            throw ControlSocketError.invalidResponse(path: path, reason: String(describing: error))
        }
    }

    /// Sends one raw line (a newline is appended) and returns the response line without its
    /// newline. For tests and debugging; `send(_:)` is the typed form.
    public func sendLine(_ line: String) throws(ControlSocketError) -> [UInt8] {
        var sendError: ControlSocketError?
        do throws(ControlSocketError) {
            try writeAll(Array((line + "\n").utf8))
        } catch {
            // The server may have answered and closed (connection limit): read its reason first.
            sendError = error
        }
        do throws(ControlSocketError) {
            return try readLine()
        } catch {
            if let sendError, case .closedWithoutResponse = error { throw sendError }
            throw error
        }
    }

    private func writeAll(_ bytes: [UInt8]) throws(ControlSocketError) {
        guard fd >= 0 else { throw .closedWithoutResponse(path: path) }
        var offset = 0
        while offset < bytes.count {
            let fd = self.fd
            let n = bytes.withUnsafeBytes { raw in
                sendBytes(fd, raw.baseAddress! + offset, raw.count - offset)
            }
            if n >= 0 {
                offset += n
                continue
            }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: throw .timedOut(path: path, seconds: timeout ?? 0)
            case let code: throw .ioFailed(path: path, reason: UnixSocketAddress.message(code))
            }
        }
    }

    /// Reads up to the next newline; keeps bytes after it for the next response.
    private func readLine() throws(ControlSocketError) -> [UInt8] {
        var scanned = 0
        while true {
            if let newline = buffer[scanned...].firstIndex(of: UInt8(ascii: "\n")) {
                let line = Array(buffer[..<newline])
                buffer.removeSubrange(...newline)
                return line
            }
            scanned = buffer.count
            if buffer.count > Self.maxResponseBytes {
                throw .responseTooLong(path: path, limit: Self.maxResponseBytes)
            }
            guard fd >= 0 else { throw .closedWithoutResponse(path: path) }
            let fd = self.fd
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 {
                buffer.append(contentsOf: chunk[0..<n])
                continue
            }
            if n == 0 { throw .closedWithoutResponse(path: path) }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: throw .timedOut(path: path, seconds: timeout ?? 0)
            case ECONNRESET: throw .closedWithoutResponse(path: path)
            case let code: throw .ioFailed(path: path, reason: UnixSocketAddress.message(code))
            }
        }
    }

    private func connectError(_ code: Int32) -> ControlSocketError {
        switch code {
        case ENOENT, ENOTDIR: return .noSocket(path: path)
        case ECONNREFUSED, ENOTSOCK: return .notListening(path: path)
        case EACCES, EPERM: return .permissionDenied(path: path, group: UnixSocketAddress.groupName(of: path))
        case EAGAIN, ETIMEDOUT, EINPROGRESS: return .timedOut(path: path, seconds: timeout ?? 0)
        default: return .connectFailed(path: path, reason: UnixSocketAddress.message(code))
        }
    }
}

/// `send(2)` without SIGPIPE when the server has closed.
private func sendBytes(_ fd: Int32, _ pointer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Darwin)
    return send(fd, pointer, count, 0)
    #else
    return send(fd, pointer, count, Int32(MSG_NOSIGNAL))
    #endif
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
