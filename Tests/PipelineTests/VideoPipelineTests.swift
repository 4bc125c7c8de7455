import CLIP
import Foundation
import LabelStream
import Pipeline
import Testing

@Suite struct VideoPipelineTests {
    let vocabulary = try! Vocabulary.resolve("thing: cat; sky; dog")

    private func run(source: SyntheticSource, segmenter: FakeSegmenter = FakeSegmenter(), sinks: [CollectingSink],
                     options: PipelineOptions = PipelineOptions(streamName: "test")) -> PipelineReport {
        VideoPipeline(source: source, segmenter: segmenter, vocabulary: VocabularyState(vocabulary),
                      sinks: sinks, options: options).run()
    }

    /// Every frame reaches every sink once, in frame order, with the source's pts, although the
    /// model and the record encoding finish frames out of order (random delays).
    @Test func recordsArriveInFrameOrderWithTheirTimestamps() {
        let source = SyntheticSource(count: 40, pts: { Double($0) * 0.04 + 1 })
        let segmenter = FakeSegmenter(delay: { ($0 * 7919 % 5) == 0 ? 0.004 : 0 })
        let sinks = [CollectingSink(source: source), CollectingSink()]
        let report = run(source: source, segmenter: segmenter, sinks: sinks)
        #expect(report.ending == .endOfStream)
        for sink in sinks {
            #expect(sink.records.map(\.frame) == Array(0..<40))
            #expect(sink.records.map(\.pts) == (0..<40).map { Double($0) * 0.04 + 1 })
            #expect(sink.records.allSatisfy { $0.stream == "test" && $0.width == 8 && $0.height == 6 })
            // The fake model labels frame i with class i % 3: the record is this frame's.
            #expect(sink.records.map { $0.segments.first?.category } == (0..<40).map { $0 % 3 })
            #expect(sink.finishCalls == 1)
        }
        let s = report.statistics
        #expect(s.decoded == 40 && s.selected == 40 && s.inferred == 40 && s.written == 40 && s.skippedBusy == 0)
        #expect(segmenter.prepared == [vocabulary])
    }

    /// Frames not selected are decoded but never converted nor segmented.
    @Test func everyKthFrameWithinARange() {
        let source = SyntheticSource(count: 30)
        let sink = CollectingSink()
        let report = run(source: source, sinks: [sink],
                         options: PipelineOptions(streamName: "s", selection: FrameSelection(rate: .every(4), range: 3..<20)))
        #expect(sink.records.map(\.frame) == [3, 7, 11, 15, 19])
        #expect(source.convertedIndices == [3, 7, 11, 15, 19])
        // Decoding stops at the end of the range instead of reading the rest of the file.
        #expect(report.statistics.decoded == 20)
        #expect(report.statistics.selected == 5 && report.statistics.written == 5)
    }

    /// Files apply back-pressure: a slow sink slows decoding down instead of letting frames
    /// pile up. Bound: frames decoded but not yet written ≤ inference queue (2) + output slots
    /// (4) + the frame being segmented + the frame being decoded (= 8).
    @Test func slowSinksBoundTheFramesInFlight() {
        let source = SyntheticSource(count: 60)
        let sink = CollectingSink(delay: 0.002, source: source)
        let report = run(source: source, sinks: [sink])
        #expect(sink.records.count == 60)
        #expect(source.maxAhead <= 8, "decoding ran \(source.maxAhead) frames ahead of the sink")
        #expect(report.statistics.outputQueueDepth == 0)
    }

    /// Live sources: the newest frame wins over a busy model. Frames the model never saw are
    /// counted; every selected frame is either written or skipped; written frames keep
    /// increasing frame numbers with gaps where frames were skipped.
    @Test func liveSourcesSkipFramesInsteadOfQueueing() {
        let source = SyntheticSource(count: 60, isLive: true, interval: 0.002)
        let segmenter = FakeSegmenter(delay: { _ in 0.012 })
        let sink = CollectingSink()
        let report = run(source: source, segmenter: segmenter, sinks: [sink])
        let s = report.statistics
        #expect(s.skippedBusy > 0)
        #expect(s.written + s.skippedBusy == s.selected)
        #expect(s.selected == 60)
        let frames = sink.records.map(\.frame)
        #expect(frames == frames.sorted() && Set(frames).count == frames.count)
        #expect(frames.last == 59, "the last frame must not be lost: the slot holds it until the model is free")
    }

    /// stop() in the middle: decoding ends, every frame the model already segmented still
    /// reaches the sinks, and the sinks are finished once.
    @Test func stopWritesEverythingAlreadySegmented() {
        let source = SyntheticSource(count: 10_000)
        let segmenter = FakeSegmenter(delay: { _ in 0.001 })
        let sink = CollectingSink()
        let pipeline = VideoPipeline(source: source, segmenter: segmenter, vocabulary: VocabularyState(vocabulary),
                                     sinks: [sink], options: PipelineOptions(streamName: "s"))
        sink.onWrite = { n in if n == 20 { pipeline.stop() } }
        let report = pipeline.run()
        #expect(report.ending == .stopped)
        #expect(sink.finishCalls == 1)
        #expect(report.statistics.inferred == segmenter.calls)
        #expect(sink.records.count == segmenter.calls, "a segmented frame was lost on stop")
        #expect(sink.records.count >= 20 && sink.records.count < 10_000)
        #expect(sink.records.map(\.frame) == Array(0..<sink.records.count))
    }

    @Test func aFailingSourceKeepsWhatWasProcessed() {
        let source = SyntheticSource(count: 50, failAfter: 12)
        let sink = CollectingSink()
        let report = run(source: source, sinks: [sink])
        #expect(report.ending == .sourceFailed("synthetic source failure"))
        #expect(sink.records.map(\.frame) == Array(0..<12))
        #expect(sink.finishCalls == 1)
    }

    @Test func aFailingSinkStopsThePipelineAndFinishesEverySink() {
        let source = SyntheticSource(count: 500)
        let failing = CollectingSink(failAt: 7)
        let other = CollectingSink()
        let report = run(source: source, sinks: [other, failing])
        #expect(report.ending == .sinkFailed("disk full (synthetic)"))
        #expect(failing.records.map(\.frame) == Array(0..<7))
        #expect(other.records.count >= 7 && other.records.count < 500)
        #expect(failing.finishCalls == 1 && other.finishCalls == 1)
    }

    /// A vocabulary change takes effect at the next frame the model starts, and records carry
    /// the new version from then on.
    @Test func vocabularyChangesBumpTheRecordsVersion() throws {
        let source = SyntheticSource(count: 30)
        let state = VocabularyState(vocabulary)
        let other = try Vocabulary.resolve("thing: person; road")
        let sink = CollectingSink()
        sink.onWrite = { n in if n == 10 { state.set(other) } }
        let report = VideoPipeline(source: source, segmenter: FakeSegmenter(delay: { _ in 0.001 }), vocabulary: state,
                                   sinks: [sink], options: PipelineOptions(streamName: "s")).run()
        #expect(report.ending == .endOfStream)
        let versions = sink.records.map(\.vocabVersion)
        #expect(versions.first == 0 && versions.last == 1 && versions == versions.sorted())
        for record in sink.records where record.vocabVersion == 1 {
            #expect(["person", "road"].contains(record.segments[0].label))
        }
        #expect(state.set(other) == 1, "setting the same vocabulary again must not bump the version")
    }

    @Test func progressLineShowsRateAndETA() {
        var s = PipelineStatistics.Snapshot()
        s.decoded = 120
        s.written = 40
        s.decodeErrors = 2
        #expect(ProgressDisplay.line(s, expectedFrames: 1800, elapsed: 10) ==
                "frame 120/1800  6.7%  processed 40  12.0 fps  ETA 2:20  decode errors 2")
        s.skippedBusy = 3
        #expect(ProgressDisplay.line(s, expectedFrames: nil, elapsed: 10) ==
                "frame 120  processed 40  12.0 fps  skipped 3  decode errors 2")
    }
}
