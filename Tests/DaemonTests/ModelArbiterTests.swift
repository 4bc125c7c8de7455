import Daemon
import FCCLIP
import Foundation
import ModelIO
import Testing

@Suite struct ModelArbiterTests {
    /// Three streams ask for the model in a tight loop; turns go round-robin, so each gets a
    /// third of the turns (±1 for the start and end of the loop), however eager the others.
    @Test func turnsAreServedInArrivalOrder() throws {
        let bundle = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/fcclip/tiny-a").path
        let arbiter = ModelArbiter(segmenter: try Segmenter(bundle: ModelBundle(directory: bundle)))
        let log = TurnLog()
        let group = DispatchGroup()
        let stop = Date().addingTimeInterval(0.5)
        for stream in 0..<3 {
            group.enter()
            Thread {
                while Date() < stop {
                    arbiter.withTurn {
                        log.append(stream)
                        Thread.sleep(forTimeInterval: 0.002)
                    }
                }
                group.leave()
            }.start()
        }
        group.wait()
        let turns = log.turns
        let counts = (0..<3).map { s in turns.filter { $0 == s }.count }
        #expect(counts.max()! - counts.min()! <= 1, "turns per stream: \(counts)")
        // In the steady state no stream takes two turns in a row while others wait.
        let middle = turns.dropFirst(3).dropLast(3)
        #expect(zip(middle, middle.dropFirst()).allSatisfy { $0 != $1 })
    }

    /// A stream's input size overrides the bundle's, keeping its long/short ratio (tiny-a: 70/120).
    @Test func perStreamInputSize() throws {
        let bundle = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/fcclip/tiny-a").path
        let segmenter = try Segmenter(bundle: ModelBundle(directory: bundle))
        let image = try RGBImage(width: 200, height: 100, pixels: (0..<60_000).map { UInt8($0 % 251) })
        let model = ModelArbiter(segmenter: segmenter).model(inputSize: 35, inputMaxSize: nil)
        let direct = segmenter.segment(image, vocabulary: try .resolve("thing: cat; sky"),
                                       preprocessor: segmenter.preprocessor(shortSide: 35, maxSide: 60))
        let viaArbiter = model.segment(image, vocabulary: try .resolve("thing: cat; sky"))
        #expect(viaArbiter.panoptic?.ids == direct.panoptic?.ids)
        #expect(segmenter.preprocessor(shortSide: 35, maxSide: 60).resizedSize(height: 100, width: 200) == (30, 60))
    }
}

private final class TurnLog: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Int] = []
    func append(_ v: Int) {
        lock.lock()
        values.append(v)
        lock.unlock()
    }

    var turns: [Int] {
        lock.lock()
        defer { lock.unlock() }
        return values
    }
}
