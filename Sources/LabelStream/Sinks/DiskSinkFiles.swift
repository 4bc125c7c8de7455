#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Media

/// POSIX helpers of `DiskSink`: directories, the append-only label file, and error texts that
/// say what to do.
enum DiskSinkFiles {
    /// Creates `path` and its missing parents (mode 0777 minus the umask) and checks that it is
    /// a directory this process can write to. Throws `MediaError.writeFailed`.
    static func makeDirectory(_ path: String) throws {
        var st = stat()
        if stat(path, &st) == 0 {
            guard st.st_mode & S_IFMT == S_IFDIR else {
                throw MediaError.writeFailed(path: path, reason: "it exists and is not a directory; choose another output directory")
            }
        } else {
            if let slash = path.dropLast().lastIndex(of: "/"), slash > path.startIndex {
                try makeDirectory(String(path[..<slash]))
            }
            if mkdir(path, 0o777) != 0, errno != EEXIST {
                throw MediaError.writeFailed(path: path, reason: "cannot create the directory: " + describe(errno))
            }
        }
        guard access(path, W_OK | X_OK) == 0 else {
            throw MediaError.writeFailed(path: path, reason: "the directory is not writable: " + describe(errno))
        }
    }

    /// `strerror(code)` followed by what to do about it.
    static func describe(_ code: Int32) -> String {
        String(cString: strerror(code)) + advice(code)
    }

    /// What to do about a write error `code`, as a clause starting with "; ", or "".
    static func advice(_ code: Int32) -> String {
        switch code {
        case ENOSPC, EDQUOT: return "; the disk is full: free some space or write to another disk"
        case EACCES, EPERM: return "; give this user write permission or choose another output directory"
        case EROFS: return "; the file system is read-only: choose another output directory"
        case ENOENT, ENOTDIR: return "; check that the output directory exists and was not removed"
        default: return ""
        }
    }

    /// `error` with advice appended when it is a `MediaError.writeFailed` whose reason names a
    /// known errno (the PNG writer reports `strerror` texts).
    static func withAdvice(_ error: Error) -> Error {
        guard case let MediaError.writeFailed(path, reason)? = error as? MediaError else { return error }
        for code in [ENOSPC, EDQUOT, EACCES, EPERM, EROFS, ENOENT, ENOTDIR]
        where reason.hasSuffix(String(cString: strerror(code))) {
            return MediaError.writeFailed(path: path, reason: reason + advice(code))
        }
        return error
    }

    /// A file in a PNG folder that a `DiskSink` writes: a frame's PNG or a temporary of one.
    struct PNGEntry {
        enum Kind { case frame(Int), temporary }
        var name: String
        var kind: Kind
    }

    /// The entries of `directory` named like a frame's PNG (`NNNNNN.png`, `-NNNNNN.png`) or like
    /// `AtomicFileWriter`'s temporary of one (`.NNNNNN.png.*.tmp`); empty when it does not exist.
    static func pngEntries(_ directory: String) -> [PNGEntry] {
        guard let dir = opendir(directory) else { return [] }
        defer { closedir(dir) }
        var result: [PNGEntry] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if let frame = frameNumber(pngName: name) {
                result.append(PNGEntry(name: name, kind: .frame(frame)))
            } else if name.hasPrefix("."), name.hasSuffix(".tmp"),
                      let end = name.range(of: ".png.")?.lowerBound,
                      frameNumber(pngName: String(name[name.index(after: name.startIndex)..<end]) + ".png") != nil {
                result.append(PNGEntry(name: name, kind: .temporary))
            }
        }
        return result
    }

    /// The frame of a PNG named by `frameName(_:)` + ".png", nil for any other name.
    static func frameNumber(pngName name: String) -> Int? {
        guard name.hasSuffix(".png") else { return nil }
        let stem = name.dropLast(4)
        let digits = stem.hasPrefix("-") ? stem.dropFirst() : stem
        guard digits.count >= 6, digits.count <= 18, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(stem)
    }

    /// Removes a file; a file that is already gone is fine. Throws `MediaError.writeFailed`.
    static func remove(_ path: String) throws {
        if unlink(path) != 0, errno != ENOENT {
            throw MediaError.writeFailed(path: path, reason: "cannot remove it: " + describe(errno))
        }
    }

    /// `NNNNNN`: `frame` zero-padded to at least 6 digits (negative frames keep their sign).
    static func frameName(_ frame: Int) -> String {
        let digits = String(frame.magnitude)
        let padded = String(repeating: "0", count: max(0, 6 - digits.count)) + digits
        return frame < 0 ? "-" + padded : padded
    }
}

/// A file that only ever grows by whole lines: opened `O_WRONLY|O_CREAT|O_TRUNC|O_APPEND|O_CLOEXEC`,
/// each line written by one `write(2)` (repeated only for the rest of a short write, or after
/// EINTR). When a write fails part-way, the file is truncated back to the end of the previous
/// line, so no half line stays behind.
final class LineFile {
    let path: String
    private var fd: Int32
    /// Bytes written so far (the file's size, since it is truncated at open).
    private(set) var size: Int = 0

    init(path: String) throws {
        self.path = path
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0o666)
        guard fd >= 0 else { throw MediaError.writeFailed(path: path, reason: "cannot create the file: " + DiskSinkFiles.describe(errno)) }
    }

    deinit { if fd >= 0 { _ = posixClose(fd) } }

    var isOpen: Bool { fd >= 0 }

    /// Appends `line` (which should end with "\n"). Throws `MediaError.writeFailed`.
    func append(_ line: String) throws {
        guard fd >= 0 else { throw MediaError.writeFailed(path: path, reason: "the file is closed") }
        var bytes = Array(line.utf8)
        let failure: Int32? = bytes.withUnsafeMutableBytes { raw -> Int32? in
            var offset = 0
            while offset < raw.count {
                let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                if n == 0 { return EIO }
                offset += n
            }
            return nil
        }
        if let code = failure {
            _ = ftruncate(fd, off_t(size))  // drop a partly written line
            throw MediaError.writeFailed(path: path, reason: "cannot append a line: " + DiskSinkFiles.describe(code))
        }
        size += bytes.count
    }

    /// `fsync(2)`. Throws `MediaError.writeFailed`.
    func sync() throws {
        guard fd >= 0 else { return }
        if fsync(fd) != 0, errno != EINVAL, errno != EROFS {
            throw MediaError.writeFailed(path: path, reason: "fsync: " + DiskSinkFiles.describe(errno))
        }
    }

    /// Syncs and closes; idempotent. Throws the first failure, closing anyway.
    func close() throws {
        guard fd >= 0 else { return }
        var failure: MediaError?
        do { try sync() } catch let error as MediaError { failure = error }
        let closed = posixClose(fd)
        let closeErrno = errno
        fd = -1
        if closed != 0, failure == nil {
            failure = .writeFailed(path: path, reason: "close: " + DiskSinkFiles.describe(closeErrno))
        }
        if let failure { throw failure }
    }
}

/// Best-effort `fsync` of a directory, so that the names created in it survive a power loss.
func syncDirectory(_ path: String) {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    if fd >= 0 { _ = fsync(fd); _ = close(fd) }
}

#if canImport(Glibc)
private let posixClose = Glibc.close
#elseif canImport(Darwin)
private let posixClose = Darwin.close
#endif
