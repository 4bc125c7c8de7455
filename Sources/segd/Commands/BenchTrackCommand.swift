import ArgumentParser
import CLIP
import FCCLIP
import Foundation
import Pipeline
import Tensor

/// `segd bench track`: the tracker's cost per frame on synthetic segmentations.
struct BenchTrackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "track",
        abstract: "Milliseconds per frame of the segment tracker (synthetic frames, no model).",
        discussion: """
        Builds FRAMES panoptic frames of --size with --segments segments (things: rectangles \
        drifting a few pixels per frame, crossing one another; 10 % stuff bands), each with \
        250 decoder query embeddings of 256 values, then times SegmentTracker.track on each \
        (measuring the masks, costs, the assignment, events and rewriting the id map). Prints \
        the mean, median and worst milliseconds per frame.
        """
    )

    @Option(help: ArgumentHelp("Frame size.", valueName: "WxH"))
    var size: String = "1280x720"

    @Option(help: "Segments per frame.")
    var segments: Int = 100

    @Option(help: "Frames timed.")
    var frames: Int = 200

    func validate() throws {
        guard parsedSize != nil else { throw ValidationError("--size must be WxH with both at least 16, e.g. 1280x720") }
        if segments < 1 || segments > 10_000 { throw ValidationError("--segments must be from 1 to 10000") }
        if frames < 1 { throw ValidationError("--frames must be at least 1") }
    }

    private var parsedSize: (width: Int, height: Int)? {
        let parts = size.lowercased().split(separator: "x")
        guard parts.count == 2, let w = Int(parts[0]), let h = Int(parts[1]), w >= 16, h >= 16, w <= 8192, h <= 8192 else { return nil }
        return (w, h)
    }

    func run() throws {
        let (w, h) = parsedSize!
        let stuffCount = max(1, segments / 10), thingCount = max(0, segments - stuffCount)
        let vocabulary = try Vocabulary(classes: [(synonyms: ["thing"], isThing: true), (synonyms: ["other thing"], isThing: true)]
                                        + (0..<stuffCount).map { (synonyms: ["stuff \($0)"], isThing: false) })
        let cols = max(1, Int((Double(thingCount) * Double(w) / Double(h)).squareRoot().rounded(.up)))
        let rows = max(1, (thingCount + cols - 1) / cols)
        let cellW = w / cols, cellH = h / rows
        let q = 250, d = 256
        var embeddings = [Float](repeating: 0, count: q * d)
        for i in embeddings.indices { embeddings[i] = Float((i &* 2_654_435_761) % 1000) / 1000 - 0.5 }
        let embeddingTensor = Tensor(shape: [q, d], values: embeddings)

        func frame(_ t: Int) -> Segmentation {
            var ids = [Int32](repeating: 0, count: w * h)
            // Stuff: horizontal bands, ids 1…stuffCount.
            for y in 0..<h {
                let band = Int32(y * stuffCount / h) + 1
                for x in 0..<w { ids[y * w + x] = band }
            }
            var segs: [Segment] = []
            for k in 0..<thingCount {
                let r = k / cols, c = k % cols
                // Drift around the cell centre (±cell/4), neighbours out of phase so they cross.
                let phase = Double(t) * 0.15 + Double(k)
                let x0 = c * cellW + cellW / 4 + Int(Double(cellW / 4) * sin(phase))
                let y0 = r * cellH + cellH / 4 + Int(Double(cellH / 4) * cos(phase))
                let id = Int32(stuffCount + 1 + k)
                for y in max(0, y0)..<min(h, y0 + cellH * 2 / 3) {
                    for x in max(0, x0)..<min(w, x0 + cellW * 2 / 3) { ids[y * w + x] = id }
                }
            }
            var area = [Int](repeating: 0, count: stuffCount + thingCount + 1)
            for id in ids { area[Int(id)] += 1 }
            for s in 0..<stuffCount where area[s + 1] > 0 {
                segs.append(Segment(id: Int32(s + 1), category: 2 + s, isThing: false, score: 0.9, query: s % q, area: area[s + 1]))
            }
            for k in 0..<thingCount where area[stuffCount + 1 + k] > 0 {
                segs.append(Segment(id: Int32(stuffCount + 1 + k), category: k % 2, isThing: true, score: 0.8,
                                    query: (stuffCount + k) % q, area: area[stuffCount + 1 + k]))
            }
            var s = Segmentation(height: h, width: w, classCount: vocabulary.classes.count,
                                 panoptic: PanopticSegmentation(ids: ids, segments: segs))
            s.queryEmbeddings = embeddingTensor
            return s
        }

        print("building \(frames) frames of \(w)x\(h) with \(thingCount) things and \(stuffCount) stuff segments…")
        let inputs = (0..<min(frames, 50)).map(frame)
        let tracker = SegmentTracker(options: TrackerOptions(), stream: "bench")
        var times: [Double] = []
        var events = 0
        for t in 0..<frames {
            let input = inputs[t % inputs.count]
            let start = ContinuousClock.now
            let out = tracker.track(input, frame: t, pts: Double(t) / 25, vocabulary: vocabulary)
            let d = ContinuousClock.now - start
            times.append(Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) * 1e-15)
            events += out.events.count
        }
        events += tracker.finish().count
        let sorted = times.sorted()
        print(String(format: "tracker: mean %.3f ms/frame, median %.3f, worst %.3f (%d frames, %d segments each; %d events)",
                     times.reduce(0, +) / Double(times.count), sorted[sorted.count / 2], sorted.last!, frames, segments, events))
    }
}
