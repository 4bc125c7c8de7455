import CLIP
import FCCLIP
import Foundation
import LabelStream
import Media
import Pipeline

/// A source of `count` synthetic frames: frame i is a `width × height` image whose first byte
/// is i % 256, shown at `pts(i)`. Counts how far decoding ran ahead of the sinks.
final class SyntheticSource: FrameSource, @unchecked Sendable {
    let count: Int
    let width: Int, height: Int
    let pts: @Sendable (Int) -> Double
    let isLive: Bool
    /// Seconds each `nextFrame` takes (a live camera's frame interval).
    let interval: Double
    /// Throw after this many frames (a source that fails for good).
    let failAfter: Int?
    let lock = NSLock()
    private var next = 0
    private var interrupted = false
    private(set) var convertedIndices: [Int] = []
    /// Written by the test's sink: frames fully written so far.
    var writtenCount = 0
    private(set) var maxAhead = 0

    init(count: Int, width: Int = 8, height: Int = 6, isLive: Bool = false, interval: Double = 0,
         failAfter: Int? = nil, pts: @escaping @Sendable (Int) -> Double = { Double($0) / 30 }) {
        self.count = count
        self.width = width
        self.height = height
        self.isLive = isLive
        self.interval = interval
        self.failAfter = failAfter
        self.pts = pts
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String { "synthetic source failure" }
    }

    func nextFrame(wantPixels: (Int, Double) -> Bool) throws -> DecodedFrame? {
        if interval > 0 { Thread.sleep(forTimeInterval: interval) }
        lock.lock()
        defer { lock.unlock() }
        if interrupted { throw MediaError.cannotOpen(path: "synthetic", reason: "interrupted") }
        if let failAfter, next == failAfter { throw Failure() }
        guard next < count else { return nil }
        let index = next
        next += 1
        maxAhead = max(maxAhead, index - writtenCount)
        let time = pts(index)
        var image: RGBImage? = nil
        if wantPixels(index, time) {
            convertedIndices.append(index)
            var pixels = [UInt8](repeating: 0, count: width * height * 3)
            pixels[0] = UInt8(index % 256)
            image = try RGBImage(width: width, height: height, pixels: pixels)
        }
        return DecodedFrame(index: index, pts: time, width: width, height: height, image: image, isKeyframe: index == 0,
                            motionVectors: nil)
    }

    func interrupt() {
        lock.lock()
        interrupted = true
        lock.unlock()
    }

    var decodeErrors: Int { 0 }
    var expectedFrameCount: Int? { count }

    func noteWritten() {
        lock.lock()
        writtenCount += 1
        lock.unlock()
    }
}

/// A model that labels every pixel with one segment of class `frame byte % classes` and
/// sleeps a pseudo-random time (so stages finish out of order).
final class FakeSegmenter: FrameSegmenting, @unchecked Sendable {
    let delay: @Sendable (Int) -> Double
    let lock = NSLock()
    private(set) var calls = 0
    private(set) var prepared: [Vocabulary] = []

    init(delay: @escaping @Sendable (Int) -> Double = { _ in 0 }) {
        self.delay = delay
    }

    func segment(_ image: RGBImage, vocabulary: Vocabulary) -> Segmentation {
        let marker = Int(image.pixels[0])
        let seconds = delay(marker)
        if seconds > 0 { Thread.sleep(forTimeInterval: seconds) }
        lock.lock()
        calls += 1
        lock.unlock()
        let n = image.width * image.height
        let category = marker % vocabulary.classes.count
        let segment = Segment(id: 1, category: category, isThing: vocabulary.classes[category].isThing, score: 0.5,
                              query: 0, area: n)
        return Segmentation(height: image.height, width: image.width, classCount: vocabulary.classes.count,
                            panoptic: PanopticSegmentation(ids: [Int32](repeating: 1, count: n), segments: [segment]))
    }

    func prepare(vocabulary: Vocabulary) {
        lock.lock()
        prepared.append(vocabulary)
        lock.unlock()
    }
}

/// Collects what the pipeline writes; can be slow, fail at a frame, or tell the source.
final class CollectingSink: FrameSink, @unchecked Sendable {
    let lock = NSLock()
    private(set) var records: [FrameRecord] = []
    private(set) var finishCalls = 0
    let delay: Double
    let failAt: Int?
    weak var source: SyntheticSource?
    var onWrite: ((Int) -> Void)?

    init(delay: Double = 0, failAt: Int? = nil, source: SyntheticSource? = nil) {
        self.delay = delay
        self.failAt = failAt
        self.source = source
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String { "disk full (synthetic)" }
    }

    func write(_ output: FrameOutput) throws {
        if let failAt, output.record.frame == failAt { throw Failure() }
        if delay > 0 { Thread.sleep(forTimeInterval: delay) }
        lock.lock()
        records.append(output.record)
        let n = records.count
        lock.unlock()
        source?.noteWritten()
        onWrite?(n)
    }

    func finish() throws {
        lock.lock()
        finishCalls += 1
        lock.unlock()
    }
}
