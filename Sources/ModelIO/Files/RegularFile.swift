import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one way segd opens the files a model is made of: `model.json`, the weights, the tokenizer
/// vocabulary and vocabulary files. Only regular files are read, so a FIFO, a device such as
/// `/dev/zero`, a socket or a folder given by mistake is an error that names it, never a read that
/// blocks or never ends.
///
/// The path is opened with `O_NONBLOCK` (opening a FIFO then returns at once instead of waiting for
/// a writer) and checked with `fstat` on the open descriptor, so the file checked is the file read.
/// Symbolic links are followed. Errors are `ModelIOError`s naming the path and, through `what`
/// (e.g. "weights file"), what the path should have been.
public enum RegularFile {
    /// Opens the regular file at `path` for reading. Returns its descriptor, which the caller
    /// closes, and its size in bytes.
    public static func open(path: String, what: String) throws -> (descriptor: Int32, size: Int) {
        let fd = systemOpen(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else {
            let err = errno
            if err == ENOENT { throw ModelIOError.fileNotFound(path: path, what: what) }
            // Opening a socket fails (ENXIO): name what the path is when that explains it.
            var st = stat()
            if stat(path, &st) == 0, let kind = kind(of: st.st_mode) {
                throw ModelIOError.notRegularFile(path: path, kind: kind, what: what)
            }
            throw ModelIOError.unreadable(path: path, reason: String(cString: strerror(err)))
        }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            let err = errno
            close(fd)
            throw ModelIOError.unreadable(path: path, reason: String(cString: strerror(err)))
        }
        if let kind = kind(of: st.st_mode) {
            close(fd)
            throw ModelIOError.notRegularFile(path: path, kind: kind, what: what)
        }
        // Reads of a regular file never block; clear the flag all the same.
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        return (fd, Int(st.st_size))
    }

    /// The whole content of the regular file at `path`. A file larger than `limit` bytes is a
    /// `ModelIOError.tooLarge` error, reported before anything is read when its size says so.
    public static func read(path: String, what: String, limit: Int) throws -> Data {
        let (fd, size) = try open(path: path, what: what)
        defer { close(fd) }
        guard size <= limit else { throw ModelIOError.tooLarge(path: path, what: what, limit: limit) }
        var data = Data(capacity: size)
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { systemRead(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw ModelIOError.unreadable(path: path, reason: String(cString: strerror(errno)))
            }
            if count == 0 { return data }
            // The file may have grown since fstat.
            guard data.count + count <= limit else { throw ModelIOError.tooLarge(path: path, what: what, limit: limit) }
            data.append(contentsOf: chunk[0..<count])
        }
    }

    /// What a file of mode `mode` is, in words, or nil for a regular file.
    static func kind(of mode: mode_t) -> String? {
        switch mode & S_IFMT {
        case S_IFREG: return nil
        case S_IFDIR: return "a folder"
        case S_IFIFO: return "a FIFO (named pipe)"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFSOCK: return "a socket"
        default: return "a special file"
        }
    }
}

private func systemOpen(_ path: String, _ flags: Int32) -> Int32 { open(path, flags) }
private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int { read(fd, buffer, count) }
