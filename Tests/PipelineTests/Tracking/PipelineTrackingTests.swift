import CLIP
import FCCLIP
import Foundation
import LabelStream
import Media
import Pipeline
import Testing

/// The tracker inside `VideoPipeline`: records carry track ids and `track_age`, events reach
/// the sinks after their frame's record, and every `new` ends, also when the run is stopped.
@Suite struct PipelineTrackingTests {
    let vocabulary = try! Vocabulary.resolve("thing: ball; stuff: sky")

    /// A square moving 3 px per frame over sky, with the per-frame ids in the opposite order
    /// every other frame (a model's ids mean nothing across frames).
    final class MovingSquareSegmenter: FrameSegmenting, @unchecked Sendable {
        func segment(_ image: RGBImage, vocabulary: Vocabulary) -> Segmentation {
            let t = Int(image.pixels[0]), w = image.width, h = image.height
            let (square, sky): (Int32, Int32) = t % 2 == 0 ? (1, 2) : (2, 1)
            var ids = [Int32](repeating: sky, count: w * h)
            for y in 10..<22 { for x in (3 * t)..<(3 * t + 12) where x < w { ids[y * w + x] = square } }
            let area = ids.filter { $0 == square }.count
            let segments = [Segment(id: square, category: 0, isThing: true, score: 0.9, query: 0, area: area),
                            Segment(id: sky, category: 1, isThing: false, score: 0.8, query: 1, area: w * h - area)]
                .sorted { $0.id < $1.id }
            return Segmentation(height: h, width: w, classCount: 2, panoptic: PanopticSegmentation(ids: ids, segments: segments))
        }
        func prepare(vocabulary: Vocabulary) {}
    }

    /// Records and events in the order the sink got them.
    final class EventSink: FrameSink, @unchecked Sendable {
        enum Item { case record(FrameRecord), event(TrackEvent) }
        let lock = NSLock()
        private(set) var items: [Item] = []
        var onRecord: ((Int) -> Void)?
        func write(_ output: FrameOutput) throws {
            lock.withLock {
                items.append(.record(output.record))
                items += output.events.map { .event($0) }
            }
            onRecord?(output.record.frame)
        }
        func write(events: [TrackEvent]) throws { lock.withLock { items += events.map { .event($0) } } }
        func finish() throws {}
        var records: [FrameRecord] { items.compactMap { if case .record(let r) = $0 { r } else { nil } } }
        var events: [TrackEvent] { items.compactMap { if case .event(let e) = $0 { e } else { nil } } }
    }

    private func run(frames: Int, tracking: TrackerOptions? = TrackerOptions(), stopAt: Int? = nil) -> EventSink {
        let sink = EventSink()
        let pipeline = VideoPipeline(source: SyntheticSource(count: frames, width: 64, height: 32), segmenter: MovingSquareSegmenter(),
                                     vocabulary: VocabularyState(vocabulary), sinks: [sink],
                                     options: PipelineOptions(streamName: "cam", tracking: tracking))
        if let stopAt { sink.onRecord = { if $0 == stopAt { pipeline.stop() } } }
        _ = pipeline.run()
        return sink
    }

    @Test func recordsCarryTrackIdsAndAges() {
        let sink = run(frames: 12)
        let records = sink.records
        #expect(records.count == 12)
        let squares = records.map { $0.segments.first { $0.isThing }! }
        #expect(Set(squares.map(\.id)).count == 1)
        #expect(squares.map(\.trackAge) == (0..<12).map { $0 })
        #expect(records.allSatisfy { r in r.segments.first { !$0.isThing }?.id == 2 })   // sky: class 1 + 1
        #expect(squares[0].id > 2)
        #expect(records[3].jsonLine().contains(#""track_age":3}"#))
    }

    @Test func eventsFollowTheirFrameAndEveryNewEnds() {
        let sink = run(frames: 12)
        let events = sink.events
        #expect(events.map(\.event) == [.new, .end])
        #expect(events[0].frame == 1 && events[0].firstFrame == 0 && events[0].stream == "cam")
        #expect(events[1].reason == .endOfStream && events[1].lastFrame == 11)
        #expect(events[0].after.bbox == [3, 10, 12, 12])
        // The `new` comes right after the record of frame 1.
        guard case .record(let r) = sink.items[1], case .event = sink.items[2] else { Issue.record("order"); return }
        #expect(r.frame == 1)
    }

    @Test func aStoppedRunStillEndsEveryTrack() {
        let sink = run(frames: 200, stopAt: 5)
        let events = sink.events
        #expect(events.filter { $0.event == .new }.count == 1)
        #expect(events.filter { $0.event == .end }.count == 1)
        #expect(events.last?.event == .end)
    }

    @Test func withoutTrackingIdsArePerFrame() {
        let sink = run(frames: 4, tracking: nil)
        #expect(sink.events.isEmpty)
        #expect(sink.records.map { $0.segments.first { $0.isThing }!.id } == [1, 2, 1, 2])
        #expect(sink.records.allSatisfy { $0.segments.allSatisfy { $0.trackAge == nil } })
    }
}
