import CLIP
import Foundation
import LabelStream
import Media
import Pipeline
import Testing

/// A run that segments nothing is told apart from a successful one, with its likely cause.
@Suite struct EmptyRunTests {
    let vocabulary = try! Vocabulary.resolve("thing: cat; sky")

    private func report(_ source: any FrameSource, _ selection: FrameSelection = FrameSelection()) -> PipelineReport {
        VideoPipeline(source: source, segmenter: FakeSegmenter(), vocabulary: VocabularyState(vocabulary),
                      sinks: [CollectingSink()], options: PipelineOptions(streamName: "s", selection: selection)).run()
    }

    @Test func aSourceWithoutFrames() {
        let r = report(SyntheticSource(count: 0))
        #expect(r.segmentedNothing)
        #expect(r.emptyRunCause(selection: FrameSelection())?.contains("holds no decodable video frame") == true)
    }

    @Test func aSelectionThatMatchesNothing() {
        let selection = FrameSelection(range: 100..<200)
        let r = report(SyntheticSource(count: 20), selection)
        #expect(r.segmentedNothing)
        #expect(r.emptyRunCause(selection: selection) == "none of its 20 decoded frames matched the selection (frames 100…199)")
    }

    @Test func decodeErrorsOnly() {
        var r = report(SyntheticSource(count: 0))
        r.statistics.decodeErrors = 3
        #expect(r.emptyRunCause(selection: FrameSelection())?.hasPrefix("no frame could be decoded (3 decode errors)") == true)
    }

    @Test func aRunThatWroteFramesHasNoCause() {
        let r = report(SyntheticSource(count: 3))
        #expect(!r.segmentedNothing)
        #expect(r.emptyRunCause(selection: FrameSelection()) == nil)
    }

    @Test func selectionSummaries() {
        #expect(FrameSelection().summary == "every frame")
        #expect(FrameSelection(rate: .every(3), range: 5..<Int.max).summary == "frames from 5, one frame in 3")
        #expect(FrameSelection(rate: .fps(2)).summary == "at most 2.0 frames per second")
    }
}
