#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Media

/// What `DiskSink.recover(directory:)` found and repaired in an output folder that a killed or
/// failed run may have left inconsistent.
///
/// A `DiskSink` writes a frame's PNGs before its line, so a process killed between the two
/// leaves PNGs that no line of `labels.jsonl` names; a kill in the middle of a multi-page line
/// leaves a last line without its `\n`; a kill during a PNG write leaves its temporary file.
public struct DiskSinkRecovery: Sendable, Equatable, CustomStringConvertible {
    /// The folder.
    public var directory: String
    /// Complete lines in `labels.jsonl` (after the cut).
    public var lines = 0
    /// Bytes of a torn last line that were cut off `labels.jsonl` (0: it ended with `\n`).
    public var tornBytes = 0
    /// PNGs (`panoptic/…`, `semantic/…`, relative to `directory`) whose frame has no line, removed.
    public var orphanPNGs: [String] = []
    /// Temporary files of interrupted PNG writes, removed.
    public var temporaries = 0

    public init(directory: String) {
        self.directory = directory
    }

    /// Whether the folder was consistent already (nothing cut or removed).
    public var isClean: Bool { tornBytes == 0 && orphanPNGs.isEmpty && temporaries == 0 }

    /// What was repaired, one clause each (empty when `isClean`).
    public var repairs: [String] {
        var repairs: [String] = []
        if tornBytes > 0 { repairs.append("cut a torn last line of labels.jsonl (\(tornBytes) bytes without their newline)") }
        if !orphanPNGs.isEmpty {
            let shown = orphanPNGs.prefix(3).joined(separator: ", ") + (orphanPNGs.count > 3 ? ", …" : "")
            repairs.append("removed \(orphanPNGs.count) PNG\(orphanPNGs.count == 1 ? "" : "s") without a line in labels.jsonl (\(shown))")
        }
        if temporaries > 0 { repairs.append("removed \(temporaries) temporary file\(temporaries == 1 ? "" : "s") of interrupted PNG writes") }
        return repairs
    }

    /// One sentence: what was repaired, or that nothing needed to be.
    public var description: String {
        guard !repairs.isEmpty else { return "\(directory): consistent (\(lines) lines, every PNG has its line)" }
        return "\(directory): an earlier run was cut short: " + repairs.joined(separator: "; ") + "; \(lines) complete lines kept"
    }
}

extension DiskSink {
    /// Makes a folder a `DiskSink` wrote consistent again after a crash, kill or full disk,
    /// without touching anything that is whole: cuts a torn last line off `labels.jsonl`,
    /// removes the PNGs under `panoptic/` and `semantic/` whose frame has no line, and removes
    /// temporary files of interrupted PNG writes. Files that a `DiskSink` does not name are
    /// left alone. Reads `labels.jsonl` in one streaming pass (only each line's `frame`).
    /// Throws `MediaError.writeFailed` when a repair fails.
    public static func recover(directory: String) throws -> DiskSinkRecovery {
        var recovery = DiskSinkRecovery(directory: directory)
        let labels = directory + "/labels.jsonl"
        var frames = Set<Int>()
        if access(labels, F_OK) == 0 {
            let scan = try LabelsScan.scan(labels)
            frames = scan.frames
            recovery.lines = scan.lines
            if scan.tornBytes > 0 {
                guard truncate(labels, off_t(scan.completeBytes)) == 0 else {
                    throw MediaError.writeFailed(path: labels, reason: "cannot cut its torn last line: " + DiskSinkFiles.describe(errno))
                }
                recovery.tornBytes = scan.tornBytes
            }
        }
        for subdirectory in ["panoptic", "semantic"] {
            for entry in DiskSinkFiles.pngEntries(directory + "/" + subdirectory) {
                let path = directory + "/" + subdirectory + "/" + entry.name
                switch entry.kind {
                case .temporary:
                    try DiskSinkFiles.remove(path)
                    recovery.temporaries += 1
                case .frame(let frame) where !frames.contains(frame):
                    try DiskSinkFiles.remove(path)
                    recovery.orphanPNGs.append(subdirectory + "/" + entry.name)
                case .frame:
                    break
                }
            }
        }
        recovery.orphanPNGs.sort()
        return recovery
    }
}

/// One streaming pass over a `labels.jsonl`: the `frame` of every complete line, and where
/// the last complete line ends.
struct LabelsScan {
    var frames = Set<Int>()
    var lines = 0
    /// Bytes up to and including the last `\n`.
    var completeBytes = 0
    /// Bytes after it (a torn last line).
    var tornBytes = 0

    /// Only this much of each line is kept to find its `frame` (the key follows `stream`).
    static let prefixLimit = 4096

    static func scan(_ path: String) throws -> LabelsScan {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw MediaError.writeFailed(path: path, reason: "cannot read it: " + DiskSinkFiles.describe(errno)) }
        defer { close(fd) }
        var scan = LabelsScan()
        var prefix: [UInt8] = []
        var pending = 0  // bytes of the current, unfinished line
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw MediaError.writeFailed(path: path, reason: "cannot read it: " + DiskSinkFiles.describe(errno))
            }
            if n == 0 { break }
            for i in 0..<n {
                let byte = chunk[i]
                pending += 1
                if byte == UInt8(ascii: "\n") {
                    if let frame = frameNumber(prefix) { scan.frames.insert(frame) }
                    scan.lines += 1
                    scan.completeBytes += pending
                    pending = 0
                    prefix.removeAll(keepingCapacity: true)
                } else if prefix.count < prefixLimit {
                    prefix.append(byte)
                }
            }
        }
        scan.tornBytes = pending
        return scan
    }

    /// The integer after the first `"frame":` of a line (inside a JSON string a `"` is always
    /// escaped, so the first match is the key).
    static func frameNumber(_ line: [UInt8]) -> Int? {
        let key = Array(#""frame":"#.utf8)
        guard line.count > key.count else { return nil }
        var i = 0
        while i + key.count <= line.count {
            if line[i] == key[0], Array(line[i..<(i + key.count)]) == key {
                var j = i + key.count
                var negative = false
                if j < line.count, line[j] == UInt8(ascii: "-") { negative = true; j += 1 }
                var value = 0, digits = 0
                while j < line.count, line[j] >= 0x30, line[j] <= 0x39, digits < 18 {
                    value = value * 10 + Int(line[j] - 0x30)
                    j += 1; digits += 1
                }
                return digits > 0 ? (negative ? -value : value) : nil
            }
            i += 1
        }
        return nil
    }
}
