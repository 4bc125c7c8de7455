import Foundation

/// A per-process scratch folder (in /dev/shm when there is one), for targets whose API reads
/// files; removed when the process exits (libFuzzer ends with `exit`).
enum Scratch {
    static let directory: String = {
        let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        let path = (base as NSString).appendingPathComponent("segd-fuzz-\(getpid())")
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(atPath: Scratch.directory) }
        return path
    }()

    /// `name` inside the scratch folder.
    static func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }

    /// Writes `bytes` to the scratch file `name`, replacing it; returns its path.
    static func store(_ bytes: UnsafeRawBufferPointer, as name: String) -> String {
        let path = path(name)
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        precondition(fd >= 0, "cannot write the scratch file \(path)")
        defer { close(fd) }
        var offset = 0
        while offset < bytes.count {
            let n = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            precondition(n > 0 || errno == EINTR, "cannot write the scratch file \(path)")
            if n > 0 { offset += n }
        }
        return path
    }
}
