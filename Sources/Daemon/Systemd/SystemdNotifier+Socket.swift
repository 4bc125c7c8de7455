import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension SystemdNotifier {
    /// `sun_path`'s bytes for `NOTIFY_SOCKET`: an absolute path, or `@name` for an abstract socket
    /// (a leading 0 byte). Nil for an empty value, other address kinds (`vsock:`), or a name too
    /// long for `sockaddr_un`.
    static func address(for socket: String) -> [UInt8]? {
        var bytes: [UInt8]
        if socket.hasPrefix("/") {
            bytes = Array(socket.utf8)
        } else if socket.hasPrefix("@"), socket.utf8.count > 1 {
            bytes = [0] + Array(socket.utf8.dropFirst())
        } else {
            return nil
        }
        let capacity = MemoryLayout.size(ofValue: sockaddr_un().sun_path)
        // A path needs room for its terminating 0; an abstract name does not have one.
        guard bytes.count < capacity || (bytes.first == 0 && bytes.count <= capacity) else { return nil }
        return bytes
    }

    /// Half of `WATCHDOG_USEC` in seconds, when the watchdog is meant for this process.
    static func watchdogInterval(_ environment: [String: String]) -> Double? {
        guard let text = environment["WATCHDOG_USEC"], let microseconds = UInt64(text), microseconds > 0 else { return nil }
        if let pid = environment["WATCHDOG_PID"], !pid.isEmpty {
            guard let pid = Int32(pid), pid == getpid() else { return nil }
        }
        return Double(microseconds) / 2_000_000
    }

    /// Sends `message` as one datagram without blocking; returns a description of the failure, if any.
    static func send(_ message: String, to address: [UInt8]) -> String? {
        #if os(Linux)
        let type = Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue)
        let flags = Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT)
        #else
        let type = SOCK_DGRAM
        let flags = Int32(MSG_DONTWAIT)
        #endif
        let fd = socket(AF_UNIX, type, 0)
        guard fd >= 0 else { return "socket(): \(String(cString: strerror(errno)))" }
        defer { close(fd) }

        var storage = sockaddr_un()
        storage.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &storage.sun_path) { path in
            path.copyBytes(from: address)
        }
        let pathOffset = MemoryLayout<sockaddr_un>.offset(of: \sockaddr_un.sun_path) ?? 2
        // Paths are sent with their terminating 0; abstract names are exactly their bytes.
        let length = socklen_t(pathOffset + address.count + (address.first == 0 ? 0 : 1))
        let bytes = Array(message.utf8)
        let sent = withUnsafePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bytes.withUnsafeBytes { buffer in
                    sendto(fd, buffer.baseAddress, buffer.count, flags, socketAddress, length)
                }
            }
        }
        guard sent == bytes.count else {
            return sent < 0 ? "sendto(): \(String(cString: strerror(errno)))" : "sendto(): sent \(sent) of \(bytes.count) bytes"
        }
        return nil
    }
}
