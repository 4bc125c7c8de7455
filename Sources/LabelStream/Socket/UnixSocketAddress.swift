#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Plain POSIX helpers for Unix domain stream sockets: address building, probing a path for a
/// live server, and the file checks a server does before binding. Shared by the label socket
/// and the daemon's control socket.
public enum UnixSocketAddress {
    /// The longest path a `sockaddr_un` holds (without its terminating NUL): 107 on Linux,
    /// 103 on Darwin.
    public static var maxPathBytes: Int {
        MemoryLayout.size(ofValue: sockaddr_un().sun_path) - 1
    }

    /// `SOCK_STREAM` as the platform's `socket(2)` wants it.
    public static var streamType: Int32 {
        #if canImport(Glibc) || canImport(Musl)
        return Int32(SOCK_STREAM.rawValue)
        #else
        return SOCK_STREAM
        #endif
    }

    /// Whether `path` fits in a socket address (not empty, no NUL, at most `maxPathBytes`).
    public static func fits(_ path: String) -> Bool {
        let count = path.utf8.count
        return count > 0 && count <= maxPathBytes && !path.utf8.contains(0)
    }

    /// Throws `.pathTooLong` when `path` does not fit in a socket address.
    static func validate(_ path: String) throws(LabelSocketError) {
        if !fits(path) { throw .pathTooLong(path: path, limit: maxPathBytes) }
    }

    /// Calls `body` with `path` as a socket address; `path` must pass `validate`.
    public static func withAddress<R>(_ path: String, _ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        precondition(bytes.count <= maxPathBytes)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
    }

    /// A stream socket, close-on-exec.
    public static func makeSocket() -> Int32 {
        let fd = socket(AF_UNIX, streamType, 0)
        if fd >= 0 { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        return fd
    }

    /// What is at a path the server is asked to bind.
    public enum Occupant: Equatable, Sendable {
        case nothing
        /// A socket file whose server is gone (connect was refused).
        case staleSocket
        /// A socket a server accepts connections on.
        case liveServer
        /// Something that is not a socket.
        case notASocket
        /// The check itself failed with this `errno`.
        case unknown(Int32)
    }

    /// Looks at `path` without following a final symlink, and for a socket tries a
    /// non-blocking connect: refused means stale, anything else (connected, or a full
    /// accept backlog) means a live server.
    public static func occupant(of path: String) -> Occupant {
        var info = stat()
        if lstat(path, &info) != 0 {
            return errno == ENOENT ? .nothing : .unknown(errno)
        }
        guard (info.st_mode & S_IFMT) == S_IFSOCK else { return .notASocket }
        let fd = makeSocket()
        guard fd >= 0 else { return .unknown(errno) }
        defer { _ = close(fd) }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        let rc = withAddress(path) { connect(fd, $0, $1) }
        if rc == 0 { return .liveServer }
        switch errno {
        case ECONNREFUSED: return .staleSocket
        case EAGAIN, EINPROGRESS: return .liveServer
        case let e: return .unknown(e)
        }
    }

    /// The device and inode of `path`, or nil when it cannot be read.
    public static func identity(of path: String) -> FileIdentity? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        return FileIdentity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
    }

    /// The name of the group that owns `path` (following symlinks), when it can be found.
    public static func groupName(of path: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0, let group = getgrgid(info.st_gid), let name = group.pointee.gr_name else {
            return nil
        }
        return String(cString: name)
    }

    /// `strerror(code)`.
    public static func message(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}

/// A file's device and inode: the server removes the socket file on close only when it is
/// still the one it created.
public struct FileIdentity: Equatable, Sendable {
    public var device: UInt64
    public var inode: UInt64
}
