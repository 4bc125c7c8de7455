import Foundation
import LabelStream
import Testing

/// Tracking end to end through `segd segment` and `segd eval track` on the shapes clip, whose
/// ground truth has the true track ids (Tests/Fixtures/shapes, copied from the shared fixtures).
@Suite struct TrackingCLITests {
    static let shapes = SegdProcess.fixtures.appendingPathComponent("shapes")
    static let model = shapes.appendingPathComponent("model").path
    static let vocab = "@" + shapes.appendingPathComponent("model/vocab.txt").path
    static let clip = shapes.appendingPathComponent("static.mp4").path

    private func scratch() throws -> String {
        let dir = NSTemporaryDirectory() + "segd-track-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    private func lines<T: Decodable>(_ path: String, as: T.Type) throws -> [T] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return try text.split(separator: "\n").map { try JSONDecoder().decode(T.self, from: Data($0.utf8)) }
    }

    /// Every `new` has exactly one `end`, after it.
    private func checkPairs(_ events: [TrackEvent], sourceLocation: SourceLocation = #_sourceLocation) {
        var open: Set<Int> = []
        for e in events {
            switch e.event {
            case .new: #expect(open.insert(e.id).inserted, sourceLocation: sourceLocation)
            case .update: #expect(open.contains(e.id), sourceLocation: sourceLocation)
            case .end: #expect(open.remove(e.id) != nil, sourceLocation: sourceLocation)
            }
        }
        #expect(open.isEmpty, "tracks without an end: \(open)", sourceLocation: sourceLocation)
    }

    @Test func segmentWritesTrackIdsAndEvents() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let out = dir + "/out"
        let r = try SegdProcess.run(["segment", Self.clip, "--model", Self.model, "--vocab", Self.vocab, "--out", out, "--frames", "0:40"])
        #expect(r.status == 0, "\(r.stderr)")
        let records = try lines(out + "/labels.jsonl", as: FrameRecord.self)
        #expect(records.count == 40 && records.allSatisfy { $0.type == "frame" })
        // The objects stand still: the same thing ids in every frame, ages counting up.
        let first = Set(records[0].segments.filter(\.isThing).map(\.id))
        #expect(!first.isEmpty)
        #expect(Set(records[39].segments.filter(\.isThing).map(\.id)) == first)
        #expect(records[39].segments.filter { first.contains($0.id) }.allSatisfy { $0.trackAge == 39 })
        // Stuff ids are class index + 1; thing ids above them.
        for s in records[0].segments { #expect(s.isThing ? s.id > 7 : s.id == s.category + 1) }
        let events = try lines(out + "/events.jsonl", as: TrackEvent.self)
        #expect(Set(events.filter { $0.event == .new }.map(\.id)) == first)
        #expect(events.filter { $0.event == .end }.allSatisfy { $0.reason == .endOfStream && $0.lastFrame == 39 })
        checkPairs(events)
    }

    @Test func perFrameIdsWithNoTracking() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try SegdProcess.run(["segment", Self.clip, "--model", Self.model, "--vocab", Self.vocab, "--out", dir, "--frames", "0:3",
                                     "--no-tracking"])
        #expect(r.status == 0, "\(r.stderr)")
        let records = try lines(dir + "/labels.jsonl", as: FrameRecord.self)
        #expect(records.allSatisfy { $0.segments.map(\.id) == Array(1...$0.segments.count) && $0.segments.allSatisfy { $0.trackAge == nil } })
        #expect(try String(contentsOfFile: dir + "/events.jsonl", encoding: .utf8).isEmpty)
    }

    @Test func badTrackingFlagsAreRefused() throws {
        let r = try SegdProcess.run(["segment", Self.clip, "--model", Self.model, "--vocab", Self.vocab, "--out", "/tmp/unused",
                                     "--track-min-score", "blue box=high"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("--track-min-score") && r.stderr.contains("blue box=high"), "\(r.stderr)")
        let g = try SegdProcess.run(["segment", Self.clip, "--model", Self.model, "--vocab", Self.vocab, "--out", "/tmp/unused",
                                     "--track-grace-frames", "-1"])
        #expect(g.status != 0 && g.stderr.contains("--track-grace-frames"))
    }

    /// SIGTERM mid-run: the tracks still end, each `new` with its `end`.
    @Test func aTerminatedRunEndsEveryTrack() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let process = try SegdProcess.start(["segment", Self.clip, "--model", Self.model, "--vocab", Self.vocab, "--out", dir,
                                             "--threads", "1"])
        let labels = dir + "/labels.jsonl"
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            let n = (try? String(contentsOfFile: labels, encoding: .utf8))?.split(separator: "\n").count ?? 0
            if n >= 5 { break }
            usleep(20_000)
        }
        process.terminate()
        process.waitUntilExit()
        #expect(process.terminationStatus == 143)
        let events = try lines(dir + "/events.jsonl", as: TrackEvent.self)
        #expect(events.contains { $0.event == .new })
        checkPairs(events)
    }

    /// Against the true track ids: no id switch on the still clip.
    @Test func evalTrackCountsNoIdSwitchOnTheStillClip() throws {
        let truth = Self.shapes.appendingPathComponent("static.gt.jsonl").path
        let r = try SegdProcess.run(["eval", "track", Self.clip, "--model", Self.model, "--vocab", Self.vocab, "--truth", truth, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(object["frames"] as? Int == 125)
        #expect(object["id_switches"] as? Int == 0)
        #expect((object["matches"] as? Int ?? 0) > 400)
        #expect(object["true_objects"] as? Int == 5)
    }
}
