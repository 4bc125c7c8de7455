#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A folder of text embeddings on disk, keyed by `ContentDigest` (one file per key,
/// `EmbeddingCacheEntry` format), shared by every process that uses the same folder.
///
/// - Entries are written atomically (a temporary file in the same folder, then `rename`), so a
///   reader sees a whole entry or none; two processes writing the same key write the same bytes.
///   There is no fsync: an entry a crash damaged fails its checks and is recomputed.
/// - Every entry is verified when read (`EmbeddingCacheEntry.decode`); one that fails is
///   reported as `.rejected` and never used, and writing its key again replaces it.
/// - The folder is kept under `maxBytes` (each entry counted as its size rounded up to 4 KiB,
///   a file-system block) by deleting least-recently-used entries after each `store`. A read
///   that uses an entry sets its modification time to now, which is what "used" means.
/// - Failures of the folder itself (it cannot be created, is read-only, the disk is full) never
///   throw: they are reported once per kind through `warn`, and lookups miss.
public final class TextEmbeddingCache: @unchecked Sendable {
    /// The default bound on the folder's size: 256 MiB (about 80,000 synonyms of a 768-wide model).
    public static let defaultMaxBytes = 256 << 20
    /// The subfolder of the cache folder that holds the entries.
    public static let entriesFolderName = "text-embeddings"
    /// Entry files end with this.
    public static let entryExtension = ".emb"
    /// Each entry counts as its size rounded up to this many bytes.
    public static let blockSize = 4096

    /// The cache folder (e.g. `~/.cache/segd`).
    public let directory: String
    /// Where the entries are: `directory/text-embeddings`.
    public let entriesDirectory: String
    /// The bound on the entries' total size.
    public let maxBytes: Int

    /// What a lookup found.
    public enum Lookup: Sendable, Equatable {
        case hit([Float])
        case miss
        /// An entry was there but failed a check; it must be recomputed.
        case rejected(EmbeddingCacheEntry.Problem)
    }

    private let warn: @Sendable (String) -> Void
    private let lock = NSLock()
    private var warned: Set<String> = []
    private var lastStamp = timespec()
    private var counter = 0

    /// A cache in `directory` (created when first written) holding at most `maxBytes`; folder
    /// problems are reported once each through `warn` (default: a line on standard error).
    public init(directory: String, maxBytes: Int = TextEmbeddingCache.defaultMaxBytes,
                warn: @escaping @Sendable (String) -> Void = TextEmbeddingCache.warnOnStandardError) {
        precondition(maxBytes > 0, "the cache bound must be positive")
        self.directory = directory
        entriesDirectory = (directory as NSString).appendingPathComponent(Self.entriesFolderName)
        self.maxBytes = maxBytes
        self.warn = warn
    }

    /// Writes `segd: warning: MESSAGE` to standard error.
    public static func warnOnStandardError(_ message: String) {
        FileHandle.standardError.write(Data("segd: warning: \(message)\n".utf8))
    }

    /// The file of `key`.
    public func path(for key: ContentDigest) -> String {
        entriesDirectory + "/" + key.hex + Self.entryExtension
    }

    /// The entry of `key` if it is there and holds one vector of `dimension` values; a used entry
    /// is marked as just used.
    public func load(_ key: ContentDigest, dimension: Int) -> Lookup {
        let path = path(for: key)
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
        guard fd >= 0 else {
            let code = errno
            if code != ENOENT && code != ENOTDIR { warnOnce("read", "cannot read \(path) (\(String(cString: strerror(code))))") }
            return code == ELOOP ? .rejected(.badMagic) : .miss
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return .rejected(.badMagic) }
        let expected = EmbeddingCacheEntry.size(dimension: dimension)
        guard Int(info.st_size) == expected else { return .rejected(.truncated(size: Int(info.st_size), expected: expected)) }
        var bytes = [UInt8](repeating: 0, count: expected)
        let read = bytes.withUnsafeMutableBytes { Self.readAll(fd, $0) }
        guard read == expected else { return .rejected(.truncated(size: read, expected: expected)) }
        switch EmbeddingCacheEntry.decode(bytes, key: key, dimension: dimension) {
        case .failure(let problem):
            return .rejected(problem)
        case .success(let values):
            var times = [stamp(), stamp()]
            _ = futimens(fd, &times)  // best effort: a read-only entry still serves, it just ages
            return .hit(values)
        }
    }

    /// Writes each entry (one vector each) atomically, then evicts down to `maxBytes`. Returns how
    /// many were written; a folder that cannot be written is reported once and the rest skipped.
    @discardableResult
    public func store(_ entries: [(key: ContentDigest, values: [Float])]) -> Int {
        guard !entries.isEmpty else { return 0 }
        guard makeFolder() else { return 0 }
        var written = 0
        for entry in entries {
            guard write(EmbeddingCacheEntry.encode(key: entry.key, values: entry.values), to: path(for: entry.key)) else { break }
            written += 1
        }
        if written > 0 { evict() }
        return written
    }

    /// One entry file in the folder.
    public struct EntryFile: Sendable {
        public let path: String
        public let countedBytes: Int
        public let modified: timespec
    }

    /// The entry files, least recently used first.
    public func entryFiles() -> [EntryFile] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: entriesDirectory) else { return [] }
        var files: [EntryFile] = []
        let now = time(nil)
        for name in names {
            let path = entriesDirectory + "/" + name
            var info = stat()
            guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { continue }
            if name.hasPrefix(".tmp-") {
                // A temporary file a killed writer left behind (a live writer renames within ms).
                if now - Self.modified(info).tv_sec > 600 { unlink(path) }
                continue
            }
            guard name.hasSuffix(Self.entryExtension) else { continue }
            let counted = (Int(info.st_size) + Self.blockSize - 1) / Self.blockSize * Self.blockSize
            files.append(EntryFile(path: path, countedBytes: counted, modified: Self.modified(info)))
        }
        return files.sorted {
            ($0.modified.tv_sec, $0.modified.tv_nsec, $0.path) < ($1.modified.tv_sec, $1.modified.tv_nsec, $1.path)
        }
    }

    /// The entries' total counted size.
    public var usedBytes: Int { entryFiles().reduce(0) { $0 + $1.countedBytes } }

    /// Deletes least-recently-used entries until the rest fit `maxBytes`; returns how many went.
    @discardableResult
    public func evict() -> Int {
        let files = entryFiles()
        var total = files.reduce(0) { $0 + $1.countedBytes }
        var removed = 0
        for file in files where total > maxBytes {
            if unlink(file.path) == 0 || errno == ENOENT {
                total -= file.countedBytes
                removed += 1
            }
        }
        return removed
    }

    // MARK: - Files

    private func makeFolder() -> Bool {
        do {
            try FileManager.default.createDirectory(atPath: entriesDirectory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o755])
            return true
        } catch {
            warnOnce("write", "cannot create \(entriesDirectory) (\(Self.reason(error)))")
            return false
        }
    }

    private func write(_ bytes: [UInt8], to path: String) -> Bool {
        let temporary = temporaryPath()
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            warnOnce("write", "cannot write in \(entriesDirectory) (\(String(cString: strerror(errno))))")
            return false
        }
        var failure: String?
        let written = bytes.withUnsafeBytes { Self.writeAll(fd, $0) }
        if written != bytes.count { failure = String(cString: strerror(errno)) }
        var times = [stamp(), stamp()]
        _ = futimens(fd, &times)
        if close(fd) != 0, failure == nil { failure = String(cString: strerror(errno)) }
        if failure == nil, rename(temporary, path) != 0 { failure = String(cString: strerror(errno)) }
        if let failure {
            unlink(temporary)
            warnOnce("write", "cannot write \(path) (\(failure))")
            return false
        }
        return true
    }

    private func temporaryPath() -> String {
        lock.lock()
        counter += 1
        let n = counter
        lock.unlock()
        return entriesDirectory + "/.tmp-\(getpid())-\(n)-\(UInt32.random(in: 0...UInt32.max))"
    }

    /// The current time, strictly later than every earlier stamp of this cache: the order of uses
    /// within one process is kept even where the clock does not advance between two of them.
    private func stamp() -> timespec {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        lock.lock()
        defer { lock.unlock() }
        if (now.tv_sec, now.tv_nsec) <= (lastStamp.tv_sec, lastStamp.tv_nsec) {
            now = lastStamp
            now.tv_nsec += 1
            if now.tv_nsec >= 1_000_000_000 { now.tv_sec += 1; now.tv_nsec = 0 }
        }
        lastStamp = now
        return now
    }

    private func warnOnce(_ kind: String, _ detail: String) {
        lock.lock()
        let first = warned.insert(kind).inserted
        lock.unlock()
        if first { warn("text classifier cache: \(detail); classifiers are computed in memory") }
    }

    private static func reason(_ error: Error) -> String {
        if let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError,
           underlying.domain == NSPOSIXErrorDomain, let code = POSIXErrorCode(rawValue: Int32(underlying.code)) {
            return String(cString: strerror(code.rawValue))
        }
        return error.localizedDescription
    }

    private static func modified(_ info: stat) -> timespec {
        #if canImport(Darwin)
        return info.st_mtimespec
        #else
        return info.st_mtim
        #endif
    }

    private static func readAll(_ fd: Int32, _ buffer: UnsafeMutableRawBufferPointer) -> Int {
        var offset = 0
        while offset < buffer.count {
            let n = read(fd, buffer.baseAddress! + offset, buffer.count - offset)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            offset += n
        }
        return offset
    }

    private static func writeAll(_ fd: Int32, _ buffer: UnsafeRawBufferPointer) -> Int {
        var offset = 0
        while offset < buffer.count {
            #if canImport(Glibc)
            let n = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
            #else
            let n = Darwin.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
            #endif
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            offset += n
        }
        return offset
    }
}
