#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a file so that its final name only ever holds complete contents: the bytes go to a
/// new temporary file in the same directory (same file system, so `rename` is atomic), which
/// then replaces `path` with `rename(2)`. On any failure the temporary file is removed and
/// `path` is untouched. The file is created with mode 0666 minus the umask, like `open`.
///
/// With `durable: true` the data is also `fsync`ed before the rename (and the directory
/// after it), so that after a power loss `path` holds either the old or the new contents.
/// Without it (the default, much faster for many small files) readers never see a partial
/// file, but a crash of the machine itself may leave an empty or old one.
public enum AtomicFileWriter {
    public static func write(_ bytes: [UInt8], to path: String, durable: Bool = false) throws {
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[..<$0]) }.map { $0.isEmpty ? "/" : $0 } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        guard !name.isEmpty else { throw MediaError.writeFailed(path: path, reason: "the path names a directory") }

        var temporary = ""
        var fd: Int32 = -1
        for _ in 0..<16 {
            temporary = "\(directory)/.\(name).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
            fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
            if fd >= 0 || errno != EEXIST { break }
        }
        guard fd >= 0 else { throw MediaError.writeFailed(path: path, reason: systemError("cannot create a temporary file in \(directory)")) }

        var failure: String? = writeAll(fd, bytes)
        if failure == nil, durable, fsync(fd) != 0 { failure = systemError("fsync") }
        if close(fd) != 0, failure == nil { failure = systemError("close") }
        if failure == nil, rename(temporary, path) != 0 { failure = systemError("rename") }
        if let failure {
            unlink(temporary)
            throw MediaError.writeFailed(path: path, reason: failure)
        }
        if durable {
            let dirFD = open(directory, O_RDONLY | O_CLOEXEC)
            if dirFD >= 0 { _ = fsync(dirFD); close(dirFD) }
        }
    }

    /// Writes every byte, retrying short writes and EINTR; returns an error text or nil.
    private static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> String? {
        bytes.withUnsafeBytes { raw -> String? in
            var offset = 0
            while offset < raw.count {
                let n = systemWrite(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    return systemError("write")
                }
                offset += n
            }
            return nil
        }
    }

    private static func systemError(_ what: String) -> String {
        "\(what): \(String(cString: strerror(errno)))"
    }
}

#if canImport(Glibc)
private let systemWrite = Glibc.write
#elseif canImport(Darwin)
private let systemWrite = Darwin.write
#endif
