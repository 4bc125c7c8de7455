import CLIP
import FCCLIP
import Foundation
import LabelStream
import Media
import Pipeline
import Testing

/// A timestamp discontinuity reported by the source reaches the next record that is written,
/// even when the frame that had it was not selected; the record keeps the source's own time.
@Suite struct PipelineDiscontinuityTests {
    let vocabulary = try! Vocabulary.resolve("thing: cat; sky; dog")

    /// Frames 0…11 at 0.1 s steps; from frame 5 the source re-based its times (raw times
    /// restart at 0) and flagged frame 5.
    final class BreakingSource: FrameSource, @unchecked Sendable {
        private var next = 0
        func nextFrame(wantPixels: (Int, Double) -> Bool) throws -> DecodedFrame? {
            guard next < 12 else { return nil }
            let i = next
            next += 1
            let pts = Double(i) / 10
            let image = wantPixels(i, pts) ? try RGBImage(width: 4, height: 4, pixels: [UInt8](repeating: UInt8(i), count: 48)) : nil
            return DecodedFrame(index: i, pts: pts, width: 4, height: 4, image: image, isKeyframe: true, motionVectors: nil,
                                sourcePTS: i >= 5 ? Double(i - 5) / 10 : pts, discontinuity: i == 5)
        }
        func interrupt() {}
        var decodeErrors: Int { 0 }
        var isLive: Bool { false }
        var expectedFrameCount: Int? { 12 }
    }

    private func records(_ selection: FrameSelection) -> [FrameRecord] {
        let sink = CollectingSink()
        _ = VideoPipeline(source: BreakingSource(), segmenter: FakeSegmenter(), vocabulary: VocabularyState(vocabulary),
                          sinks: [sink], options: PipelineOptions(streamName: "s", selection: selection)).run()
        return sink.records
    }

    @Test func theFlaggedFrameCarriesTheKeys() {
        let records = records(FrameSelection())
        #expect(records.map(\.frame) == Array(0..<12))
        #expect(records.map { $0.discontinuity ?? false } == (0..<12).map { $0 == 5 })
        #expect(records[5].sourcePTS == 0)
        #expect(records.filter { $0.sourcePTS != nil }.count == 1)
        #expect(records[5].jsonLine().hasSuffix(#"]"# + #","discontinuity":true,"source_pts":0,"type":"frame"}"#))
        #expect(!records[4].jsonLine().contains("discontinuity"))
    }

    /// Every 4th frame: 0, 4, 8. Frame 5 is not processed; frame 8 is the first record after
    /// the break and says so, with its own raw time.
    @Test func anUnselectedFlaggedFrameMovesTheFlagToTheNextRecord() {
        let records = records(FrameSelection(rate: .every(4)))
        #expect(records.map(\.frame) == [0, 4, 8])
        #expect(records.map { $0.discontinuity ?? false } == [false, false, true])
        #expect(records[2].sourcePTS.map { abs($0 - 0.3) < 1e-9 } == true)
    }
}
