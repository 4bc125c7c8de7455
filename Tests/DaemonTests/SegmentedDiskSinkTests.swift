import CLIP
import Daemon
import FCCLIP
import Foundation
import LabelStream
import Testing

@Suite struct SegmentedDiskSinkTests {
    private func output(frame: Int) throws -> FrameOutput {
        let vocabulary = try Vocabulary.resolve("thing: cat; sky")
        let segmentation = Segmentation(height: 4, width: 4, classCount: 2, panoptic: PanopticSegmentation(
            ids: [Int32](repeating: 1, count: 16),
            segments: [Segment(id: 1, category: 0, isThing: true, score: 0.5, query: 0, area: 16)]))
        let record = FrameRecord(segmentation: segmentation, vocabulary: vocabulary, metadata: FrameMetadata(stream: "s", frame: frame, pts: Double(frame)))
        return FrameOutput(record: record, segmentation: segmentation,
                           image: try RGBImage(width: 4, height: 4, pixels: [UInt8](repeating: 0, count: 48)), vocabulary: vocabulary)
    }

    /// Segments rotate every `segment_minutes` of wall time, `current` follows the newest, and
    /// a segment older than `max_age_hours` is deleted while the current one never is.
    @Test func rotatesAndDeletesOldSegments() throws {
        let root = NSTemporaryDirectory() + "segd-segments-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: root) }
        // Real time: retention compares the clock with the files' real modification times.
        let start = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        let clock = Clock(start)
        let sink = try SegmentedDiskSink(root: root, retention: .init(segmentMinutes: 1, maxAgeHours: 1),
                                         options: DiskSinkOptions(), now: { clock.now })
        try sink.write(output(frame: 0))
        clock.advance(30)
        try sink.write(output(frame: 1))
        let first = try #require(sink.currentDirectory)
        #expect(first.hasSuffix("/" + SegmentedDiskSink.segmentName(start)))
        clock.advance(31)
        try sink.write(output(frame: 2))
        #expect(sink.currentDirectory != first)
        let second = SegmentedDiskSink.segmentName(start.addingTimeInterval(61))
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: root + "/current") == second)
        #expect(try String(contentsOfFile: first + "/labels.jsonl", encoding: .utf8).split(separator: "\n").count == 2)
        // The first segment's files were written "now" (real mtime), so make them old.
        let old = start.addingTimeInterval(-7200)
        for case let file as String in FileManager.default.enumerator(atPath: first)! {
            try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: first + "/" + file)
        }
        try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: first)
        clock.advance(61)
        try sink.write(output(frame: 3))
        try sink.finish()
        #expect(!FileManager.default.fileExists(atPath: first), "a segment older than max_age_hours must be deleted")
        let left = try FileManager.default.contentsOfDirectory(atPath: root).filter { $0 != "current" }.sorted()
        #expect(left == [second, SegmentedDiskSink.segmentName(start.addingTimeInterval(122))])
    }

    /// Over `max_megabytes`, the oldest finished segments go first until the total fits.
    /// A daemon killed mid-write leaves its segment with a torn last line and a PNG without its
    /// line; the next start repairs that segment (`recovered`) before writing a new one.
    @Test func theSegmentAKilledRunLeftIsRepairedAtTheNextStart() throws {
        let root = NSTemporaryDirectory() + "segd-segments-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: root) }
        let clock = Clock(Date(timeIntervalSince1970: 1_800_000_000))
        let first = try SegmentedDiskSink(root: root, retention: .init(), options: DiskSinkOptions(), now: { clock.now })
        #expect(first.recovered == nil, "nothing to repair in a new folder")
        for frame in 0..<3 { try first.write(output(frame: frame)) }
        try first.finish()
        let segment = try #require(first.currentDirectory)
        // What a SIGKILL between the PNG and its line leaves: frame 3's PNG, half of a line.
        let panoptic = segment + "/panoptic"
        let pngs = try FileManager.default.contentsOfDirectory(atPath: panoptic).sorted()
        try FileManager.default.copyItem(atPath: panoptic + "/" + pngs[0], toPath: panoptic + "/000003.png")
        let labels = try FileHandle(forWritingTo: URL(fileURLWithPath: segment + "/labels.jsonl"))
        labels.seekToEndOfFile()
        labels.write(Data("{\"frame\":3,\"pts\"".utf8))
        try labels.close()

        clock.advance(10)
        let second = try SegmentedDiskSink(root: root, retention: .init(), options: DiskSinkOptions(), now: { clock.now })
        let recovered = try #require(second.recovered)
        #expect(!recovered.isClean)
        #expect(recovered.lines == 3 && recovered.orphanPNGs == ["panoptic/000003.png"] && recovered.tornBytes == 16, "\(recovered)")
        #expect(try String(contentsOfFile: segment + "/labels.jsonl", encoding: .utf8).split(separator: "\n").count == 3)
        #expect(try FileManager.default.contentsOfDirectory(atPath: panoptic).sorted() == pngs)
    }

    @Test func deletesOldestSegmentsOverTheSizeLimit() throws {
        let root = NSTemporaryDirectory() + "segd-segments-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: root) }
        let clock = Clock(Date(timeIntervalSince1970: 1_800_000_000))
        // Each segment holds one 4x4 PNG (~100 bytes) and one line (~300 bytes); a 0.002 MB
        // limit keeps the current segment and about three finished ones.
        let sink = try SegmentedDiskSink(root: root, retention: .init(segmentMinutes: 1, maxMegabytes: 0.002),
                                         options: DiskSinkOptions(), now: { clock.now })
        for frame in 0..<10 {
            try sink.write(output(frame: frame))
            clock.advance(60)
        }
        try sink.finish()
        let left = try FileManager.default.contentsOfDirectory(atPath: root).filter { $0 != "current" }.sorted()
        let total = left.reduce(0) { $0 + SegmentedDiskSink.usage(of: root + "/" + $1).bytes }
        #expect(left.last == SegmentedDiskSink.segmentName(Date(timeIntervalSince1970: 1_800_000_000 + 540)))
        #expect(left.count >= 2 && left.count < 10)
        // After the last rotation the total fitted; the current segment grew by one frame since.
        #expect(total - SegmentedDiskSink.usage(of: root + "/" + left.last!).bytes <= 2000)
    }
}

private final class Clock: @unchecked Sendable {
    var now: Date
    init(_ start: Date) { now = start }
    func advance(_ seconds: Double) { now = now.addingTimeInterval(seconds) }
}
