import CLIP
import FCCLIP
import Foundation
import LabelStream
import Testing

/// The object events: their line format, `events.jsonl`, and events on the socket beside the
/// records (which say `"type":"frame"`).
@Suite struct TrackEventTests {
    static func event(_ kind: TrackEvent.Kind = .update, id: Int = 7, frame: Int = 30) -> TrackEvent {
        let before = TrackEvent.State(label: "ball", category: 0, score: 0.91234, area: 400, bbox: [10, 20, 20, 20])
        let after = TrackEvent.State(label: "box", category: 1, score: 0.5, area: 380, bbox: [14, 20, 19, 20])
        return TrackEvent(stream: "cam \"1\"", event: kind, id: id, label: "box", isThing: true, frame: frame, pts: 1.2,
                          firstFrame: 2, firstPTS: 0.08, lastFrame: frame, lastPTS: 1.2, bestScore: 0.91234,
                          before: before, after: after, reason: kind == .end ? .lost : nil)
    }

    @Test func exactLine() throws {
        let line = Self.event().jsonLine()
        #expect(line == #"{"type":"event","stream":"cam \"1\"","event":"update","id":7,"label":"box","isthing":true,"frame":30,"pts":1.2,"first_frame":2,"first_pts":0.08,"last_frame":30,"last_pts":1.2,"best_score":0.9123,"before":{"label":"ball","category":0,"score":0.9123,"area":400,"bbox":[10,20,20,20]},"after":{"label":"box","category":1,"score":0.5,"area":380,"bbox":[14,20,19,20]}}"#)
        let end = Self.event(.end).jsonLine()
        #expect(end.hasSuffix(#","reason":"lost"}"#))
        let decoded = try JSONDecoder().decode(TrackEvent.self, from: Data(end.utf8))
        #expect(decoded.event == .end && decoded.reason == .lost && decoded.after.bbox == [14, 20, 19, 20] && decoded.id == 7)
    }

    @Test func segmentsSayTheirTrackAgeLast() throws {
        var s = SegmentRecord(id: 9, label: "ball", category: 0, isThing: true, score: 0.5, area: 1, bbox: [0, 0, 1, 1],
                              rle: RLERecord(size: [1, 1], counts: "01"))
        #expect(!s.jsonObject().contains("track_age"))
        s.trackAge = 12
        #expect(s.jsonObject().hasSuffix(#""counts":"01"},"track_age":12}"#))
        let back = try JSONDecoder().decode(SegmentRecord.self, from: Data(s.jsonObject().utf8))
        #expect(back.trackAge == 12)
        // A line without `type` (an older segd's) still reads as a record.
        let old = #"{"stream":"s","frame":0,"pts":0,"keyframe":true,"vocab_version":0,"width":1,"height":1,"dropped_before":0,"segments":[]}"#
        #expect(try JSONDecoder().decode(FrameRecord.self, from: Data(old.utf8)).type == nil)
    }

    @Test func diskSinkWritesEventsAfterTheirFrame() throws {
        let dir = NSTemporaryDirectory() + "segd-events-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let sink = try DiskSink(directory: dir)
        let vocabulary = try Vocabulary(classes: [(synonyms: ["ball"], isThing: true)])
        let image = try RGBImage(width: 1, height: 1, pixels: [0, 0, 0])
        let record = FrameRecord(stream: "s", frame: 3, pts: 0.1, keyframe: true, vocabVersion: 0, width: 1, height: 1, segments: [])
        try sink.write(FrameOutput(record: record, segmentation: Segmentation(height: 1, width: 1, classCount: 1), image: image,
                                   vocabulary: vocabulary, events: [Self.event(.new, id: 5), Self.event(.new, id: 6)]))
        try sink.write(events: [Self.event(.end, id: 5), Self.event(.end, id: 6)])
        try sink.finish()
        let text = try String(contentsOfFile: sink.eventsPath, encoding: .utf8)
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.count == 4 && text.hasSuffix("\n"))
        let events = try lines.map { try JSONDecoder().decode(TrackEvent.self, from: Data($0.utf8)) }
        #expect(events.map(\.event) == [.new, .new, .end, .end])
        #expect(events.map(\.id) == [5, 6, 5, 6])
        // A stream without events leaves an empty events.jsonl.
        let quiet = try DiskSink(directory: dir + "/quiet")
        try quiet.finish()
        #expect(try String(contentsOfFile: quiet.eventsPath, encoding: .utf8).isEmpty)
    }

    @Test func theClientTellsRecordsFromEvents() throws {
        let dir = try SocketTestSupport.makeDirectory()
        defer { SocketTestSupport.removeDirectory(dir) }
        let path = dir + "/s.sock"
        let lines = [SocketTestSupport.record(frame: 0).jsonLine(), Self.event(.new).jsonLine(), SocketTestSupport.record(frame: 1).jsonLine()]
        let server = try RawServer(path: path) { fd in RawServer.send(fd, lines.joined(separator: "\n") + "\n") }
        let client = try LabelSocketClient(path: path, timeout: 10)
        guard case .frame(let r0) = try client.nextMessage() else { Issue.record("expected a record"); return }
        #expect(r0.frame == 0 && r0.type == "frame")
        guard case .event(let e) = try client.nextMessage() else { Issue.record("expected an event"); return }
        #expect(e.event == .new && e.id == 7)
        #expect(try client.nextMessage() == .frame(SocketTestSupport.record(frame: 1)))
        #expect(try client.nextMessage() == nil)
        server.wait()

        // nextRecord() skips events.
        let server2 = try RawServer(path: path + "2") { fd in RawServer.send(fd, lines.joined(separator: "\n") + "\n") }
        let client2 = try LabelSocketClient(path: path + "2", timeout: 10)
        #expect(try client2.nextRecord()?.frame == 0)
        #expect(try client2.nextRecord()?.frame == 1)
        #expect(try client2.nextRecord() == nil)
        server2.wait()
    }

    @Test func theSocketSinkSendsEventsAfterTheirRecord() throws {
        let dir = try SocketTestSupport.makeDirectory()
        defer { SocketTestSupport.removeDirectory(dir) }
        let sink = try LabelSocketSink(path: dir + "/s.sock")
        let client = try LabelSocketClient(path: sink.server.path, timeout: 10)
        #expect(SocketTestSupport.waitUntil { sink.server.subscriberCount == 1 })
        let vocabulary = try Vocabulary(classes: [(synonyms: ["ball"], isThing: true)])
        let image = try RGBImage(width: 1, height: 1, pixels: [0, 0, 0])
        try sink.write(FrameOutput(record: SocketTestSupport.record(frame: 0), segmentation: Segmentation(height: 1, width: 1, classCount: 1),
                                   image: image, vocabulary: vocabulary, events: [Self.event(.new)]))
        try sink.write(events: [Self.event(.end)])
        try sink.finish()
        var kinds: [String] = []
        while let m = try client.nextMessage() {
            switch m {
            case .frame(let r): kinds.append("frame \(r.frame)")
            case .event(let e): kinds.append(e.event.rawValue)
            }
        }
        #expect(kinds == ["frame 0", "new", "end"])
    }
}
