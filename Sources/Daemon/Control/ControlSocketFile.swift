#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// POSIX helpers for the control socket's file: address building, probing a path for a live
/// server before binding, and the file's identity and group.
enum ControlSocketFile {
    /// The longest path a `sockaddr_un` holds, without its terminating NUL.
    static var maxPathBytes: Int {
        MemoryLayout.size(ofValue: sockaddr_un().sun_path) - 1
    }

    /// Throws `.pathTooLong` when `path` does not fit in a socket address.
    static func validate(_ path: String) throws(ControlSocketError) {
        let count = path.utf8.count
        if count == 0 || count > maxPathBytes || path.utf8.contains(0) {
            throw .pathTooLong(path: path, limit: maxPathBytes)
        }
    }

    /// Calls `body` with `path` as a socket address; `path` must pass `validate`.
    static func withAddress<R>(_ path: String, _ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        precondition(bytes.count <= maxPathBytes, "socket path too long")
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                body($0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
    }

    /// A close-on-exec Unix stream socket, or -1 with `errno` set.
    static func makeSocket() -> Int32 {
        #if canImport(Glibc) || canImport(Musl)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_UNIX, SOCK_STREAM, 0)
        #endif
        if fd >= 0 { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        return fd
    }

    /// What is at a path the server is asked to bind.
    enum Occupant: Equatable {
        case nothing
        /// A socket file whose server is gone (connecting is refused).
        case staleSocket
        /// A socket that a server accepts connections on.
        case liveServer
        /// Something that is not a socket.
        case notASocket
        /// The check failed with this `errno`.
        case unknown(Int32)
    }

    /// Looks at `path` without following a final symlink; for a socket, tries a non-blocking
    /// connect: refused means stale, connected or a full backlog means a live server.
    static func occupant(of path: String) -> Occupant {
        var info = stat()
        if lstat(path, &info) != 0 {
            return errno == ENOENT ? .nothing : .unknown(errno)
        }
        guard (info.st_mode & S_IFMT) == S_IFSOCK else { return .notASocket }
        let fd = makeSocket()
        guard fd >= 0 else { return .unknown(errno) }
        defer { _ = close(fd) }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        if withAddress(path, { connect(fd, $0, $1) }) == 0 { return .liveServer }
        switch errno {
        case ECONNREFUSED: return .staleSocket
        case EAGAIN, EINPROGRESS: return .liveServer
        case let code: return .unknown(code)
        }
    }

    /// The device and inode of `path`, or nil when it cannot be read.
    static func identity(of path: String) -> Identity? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        return Identity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
    }

    /// The name of the group that owns `path` (following symlinks), when it can be found.
    static func groupName(of path: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0, let group = getgrgid(info.st_gid), let name = group.pointee.gr_name else {
            return nil
        }
        return String(cString: name)
    }

    /// `strerror(code)`.
    static func message(_ code: Int32) -> String {
        String(cString: strerror(code))
    }

    /// A file's device and inode: the server removes the socket file on close only while it is
    /// still the one it created.
    struct Identity: Equatable, Sendable {
        var device: UInt64
        var inode: UInt64
    }
}
