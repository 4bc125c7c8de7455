import Foundation
import LabelStream

/// A stream's disk outputs for a daemon that runs for months: `DiskSink` folders, one per
/// time segment, under the stream's folder, with old segments deleted by age and total size.
///
///     <output_root>/<stream>/20261121T083512Z/labels.jsonl, panoptic/, overlay.mp4
///     <output_root>/<stream>/current -> 20261121T083512Z
///
/// A new segment starts at the first frame after `segment_minutes` (and at every daemon
/// start), named by its UTC start time so names sort in time order; `current` always points to
/// the segment being written. After each new segment, finished segments are deleted while
/// older than `max_age_hours` (by the time their last file was written) or while the stream's
/// folder is larger than `max_megabytes`, oldest first. The current segment is never deleted.
public final class SegmentedDiskSink: FrameSink {
    public let root: String
    public let retention: StreamConfig.Retention
    public let options: DiskSinkOptions
    private let now: () -> Date
    private var current: (sink: DiskSink, name: String, start: Date)?
    /// What `DiskSink.recover` repaired in the segment an earlier run was writing (`current`
    /// when this sink was created): a torn last line, PNGs without their line after a kill.
    public private(set) var recovered: DiskSinkRecovery?

    /// Creates `root` if needed and makes the segment an earlier run left as `current`
    /// consistent (`recovered`); the first new segment starts at the first frame. `now` is the
    /// clock segments are timed by (tests pass their own).
    public init(root: String, retention: StreamConfig.Retention, options: DiskSinkOptions, now: @escaping () -> Date = Date.init) throws {
        self.root = root
        self.retention = retention
        self.options = options
        self.now = now
        do {
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        } catch {
            throw ControlError("cannot create the stream's output folder \(root): \(error.localizedDescription); check output_root and its permissions")
        }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: root + "/current", isDirectory: &isDirectory), isDirectory.boolValue {
            do {
                recovered = try DiskSink.recover(directory: (root + "/current" as NSString).resolvingSymlinksInPath)
            } catch {
                throw ControlError("cannot repair the segment an earlier run left in \(root)/current: \(error)")
            }
        }
    }

    /// The folder of the segment being written.
    public var currentDirectory: String? { current.map { root + "/" + $0.name } }

    public func write(_ output: FrameOutput) throws {
        let time = now()
        if current == nil || time.timeIntervalSince(current!.start) >= retention.segmentMinutes * 60 {
            try rotate(at: time)
        }
        try current!.sink.write(output)
    }

    /// Events that belong to no frame (the `end`s at shutdown) go to the current segment's
    /// events.jsonl, beside the frames they end.
    public func write(events: [TrackEvent]) throws {
        try current?.sink.write(events: events)
    }

    public func finish() throws {
        try current?.sink.finish()
    }

    private func rotate(at time: Date) throws {
        if let current { try current.sink.finish() }
        current = nil
        var name = Self.segmentName(time)
        var n = 2
        while FileManager.default.fileExists(atPath: root + "/" + name) {
            name = Self.segmentName(time) + "-\(n)"
            n += 1
        }
        current = (try DiskSink(directory: root + "/" + name, options: options), name, time)
        pointCurrent(to: name)
        applyRetention(keeping: name, at: time)
    }

    /// `yyyyMMdd'T'HHmmss'Z'` in UTC.
    public static func segmentName(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(format: "%04d%02d%02dT%02d%02d%02dZ", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
    }

    /// Replaces the `current` symlink atomically (a new link renamed over the old one).
    private func pointCurrent(to name: String) {
        let temporary = root + "/.current.\(getpid())"
        unlink(temporary)
        guard symlink(name, temporary) == 0 else { return }
        if rename(temporary, root + "/current") != 0 { unlink(temporary) }
    }

    /// Deletes finished segments past the age or size limit, oldest first.
    private func applyRetention(keeping currentName: String, at time: Date) {
        guard retention.maxAgeHours != nil || retention.maxMegabytes != nil else { return }
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: root) else { return }
        var segments: [(name: String, bytes: Int, modified: Date)] = names
            .filter { $0 != currentName && $0 != "current" && !$0.hasPrefix(".") && $0.first?.isNumber == true }
            .sorted()
            .map { name in
                let usage = Self.usage(of: root + "/" + name)
                return (name, usage.bytes, usage.modified)
            }
        if let hours = retention.maxAgeHours {
            let limit = time.addingTimeInterval(-hours * 3600)
            while let oldest = segments.first, oldest.modified < limit {
                try? fm.removeItem(atPath: root + "/" + oldest.name)
                segments.removeFirst()
            }
        }
        if let megabytes = retention.maxMegabytes {
            let limit = Int(megabytes * 1_000_000)
            var total = segments.reduce(0) { $0 + $1.bytes } + Self.usage(of: root + "/" + currentName).bytes
            while total > limit, let oldest = segments.first {
                try? fm.removeItem(atPath: root + "/" + oldest.name)
                total -= oldest.bytes
                segments.removeFirst()
            }
        }
    }

    /// Bytes of the files under `path` and the newest modification time among them.
    public static func usage(of path: String) -> (bytes: Int, modified: Date) {
        let fm = FileManager.default
        var bytes = 0
        var modified = (try? fm.attributesOfItem(atPath: path)[.modificationDate] as? Date) ?? .distantPast
        if let walker = fm.enumerator(atPath: path) {
            for case let relative as String in walker {
                guard let attributes = try? fm.attributesOfItem(atPath: path + "/" + relative),
                      attributes[.type] as? FileAttributeType == .typeRegular else { continue }
                bytes += (attributes[.size] as? Int) ?? 0
                if let date = attributes[.modificationDate] as? Date, date > modified { modified = date }
            }
        }
        return (bytes, modified)
    }
}
