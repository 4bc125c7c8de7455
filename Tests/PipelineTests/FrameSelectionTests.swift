import FCCLIP
import Pipeline
import Testing

@Suite struct FrameSelectionTests {
    private func selected(_ selection: FrameSelection, count: Int, pts: (Int) -> Double) -> [Int] {
        var cursor = FrameSelection.Cursor(selection)
        return (0..<count).filter { cursor.wants(index: $0, pts: pts($0)) }
    }

    @Test func everyFrameByDefault() {
        #expect(selected(FrameSelection(), count: 5) { Double($0) } == [0, 1, 2, 3, 4])
    }

    @Test func everyKthFrameCountsFromTheRangeStart() {
        #expect(selected(FrameSelection(rate: .every(3)), count: 10) { Double($0) } == [0, 3, 6, 9])
        #expect(selected(FrameSelection(rate: .every(3), range: 4..<12), count: 20) { Double($0) } == [4, 7, 10])
    }

    /// 30 fps sampled at 10 fps takes exactly every third frame, even with pts rounded to the
    /// millisecond as containers store them (1/30 is not representable).
    @Test func targetRateOnAConstantRateStream() {
        let pts = { (i: Int) in (Double(i) / 30 * 1000).rounded() / 1000 }
        let frames = selected(FrameSelection(rate: .fps(10)), count: 300, pts: pts)
        #expect(frames == Array(stride(from: 0, to: 300, by: 3)))
        // A rate above the stream's takes every frame.
        #expect(selected(FrameSelection(rate: .fps(60)), count: 30, pts: pts) == Array(0..<30))
    }

    /// Variable frame rate: 2 s at 50 fps then 2 s at 5 fps, sampled at 10 fps. Closed form:
    /// every 5th frame of the first part (0, 0.1, …, 1.9 s: 20 frames), then every frame of the
    /// second (5 fps < 10 fps: 10 frames).
    @Test func targetRateOnAVariableRateStream() {
        let pts = { (i: Int) in i < 100 ? Double(i) / 50 : 2 + Double(i - 100) / 5 }
        let frames = selected(FrameSelection(rate: .fps(10)), count: 110, pts: pts)
        #expect(frames == Array(stride(from: 0, to: 100, by: 5)) + Array(100..<110))
    }

    /// After a gap in the stream (a live source that stalled), due times restart from the first
    /// frame after the gap instead of letting a burst of frames through.
    @Test func targetRateRestartsAfterAGap() {
        let pts: [Double] = [0, 0.5, 1.0, 10.0, 10.1, 10.2, 10.5, 10.6, 11.0]
        let frames = selected(FrameSelection(rate: .fps(2)), count: pts.count) { pts[$0] }
        #expect(frames == [0, 1, 2, 3, 6, 8])
    }

    @Test func rangeBoundsSelectionAndSaysWhenItIsDone() {
        let selection = FrameSelection(range: 2..<5)
        #expect(selected(selection, count: 10) { Double($0) } == [2, 3, 4])
        #expect(!selection.isFinished(after: 3))
        #expect(selection.isFinished(after: 4))
        #expect(!FrameSelection().isFinished(after: 1_000_000))
    }
}

@Suite struct SegmentationTaskTests {
    /// Each task turns on exactly the post-processing its records and PNGs need.
    @Test func tasksSelectTheirOutputs() {
        var base = PostProcessingOptions()
        base.overlapThreshold = 0.4
        let panoptic = SegmentationTask.panoptic.options(base)
        #expect(panoptic.panoptic && !panoptic.semantic && !panoptic.instances && panoptic.overlapThreshold == 0.4)
        let withMaps = SegmentationTask.panoptic.options(base, semanticMaps: true)
        #expect(withMaps.panoptic && withMaps.semantic && !withMaps.instances)
        let semantic = SegmentationTask.semantic.options(base)
        #expect(!semantic.panoptic && semantic.semantic && !semantic.instances)
        let instance = SegmentationTask.instance.options(base)
        #expect(!instance.panoptic && !instance.semantic && instance.instances)
    }
}
