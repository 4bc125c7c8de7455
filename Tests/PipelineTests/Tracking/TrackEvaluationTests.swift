import Pipeline
import Testing

@Suite struct TrackEvaluationTests {
    /// A 1×8 strip: object 1 in pixels 0..<4, object 2 in 4..<8.
    let truth: [Int32] = [1, 1, 1, 1, 2, 2, 2, 2]

    @Test func countsSwitchesFragmentationsAndLengths() {
        var e = TrackEvaluation()
        e.add(predicted: [10, 10, 10, 10, 11, 11, 11, 11], predictedThings: [10, 11], truth: truth, truthThings: [1, 2])
        e.add(predicted: [10, 10, 10, 0, 11, 11, 11, 11], predictedThings: [10, 11], truth: truth, truthThings: [1, 2])
        // Object 2 switches to id 12; object 1 is missed (IoU 2/4 is not > 0.5).
        e.add(predicted: [10, 10, 0, 0, 12, 12, 12, 12], predictedThings: [10, 12], truth: truth, truthThings: [1, 2])
        // Object 1 found again with its id: one fragmentation, no switch.
        e.add(predicted: [10, 10, 10, 10, 12, 12, 12, 12], predictedThings: [10, 12], truth: truth, truthThings: [1, 2])
        #expect(e.frames == 4 && e.truthAppearances == 8)
        #expect(e.matches == 7 && e.misses == 1)
        #expect(e.idSwitches == 1 && e.fragmentations == 1)
        #expect(e.predictedTracks == 3 && e.trackFrames == [10: 4, 11: 2, 12: 2])
        #expect(e.meanTrackLength == 8.0 / 3)
    }

    @Test func withoutTruthOnlyLengths() {
        var e = TrackEvaluation()
        e.add(predicted: [5, 5, 3], predictedThings: [5])
        e.add(predicted: [5, 6, 3], predictedThings: [5, 6])
        #expect(e.trackFrames == [5: 2, 6: 1] && e.idSwitches == 0 && e.truthAppearances == 0)
    }
}
