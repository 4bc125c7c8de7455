import CLIP
import Foundation
import LabelStream
import Pipeline
import Testing

/// A failure is reported once, however many places it surfaces in.
@Suite struct PipelineFailureReportTests {
    /// Fails to write frame 3, then fails to finish with the same message (a full disk).
    final class FullDiskSink: FrameSink, @unchecked Sendable {
        struct Full: Error, CustomStringConvertible { var description: String { "out/labels.jsonl: no space left on device" } }
        func write(_ output: FrameOutput) throws { if output.record.frame == 3 { throw Full() } }
        func finish() throws { throw Full() }
    }

    @Test func theSameErrorFromWriteAndFinishIsReportedOnce() {
        let report = VideoPipeline(source: SyntheticSource(count: 10), segmenter: FakeSegmenter(),
                                   vocabulary: VocabularyState(try! Vocabulary.resolve("cat; dog")),
                                   sinks: [FullDiskSink(), CollectingSink()], options: PipelineOptions(streamName: "s")).run()
        #expect(report.ending == .sinkFailed("out/labels.jsonl: no space left on device"))
        #expect(report.finishErrors.isEmpty, "\(report.finishErrors)")
    }
}
