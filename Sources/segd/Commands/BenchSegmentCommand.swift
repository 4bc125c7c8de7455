import ArgumentParser
import CLIP
import FCCLIP
import Foundation
import Media
import ModelIO
import Tensor

/// `segd bench segment`: seconds per stage of the whole model on one image.
struct BenchSegmentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "segment",
        abstract: "Time each stage of FC-CLIP end to end on one image.",
        discussion: """
        Runs the bundle's model on --image (or a seeded random image of --size) once to warm up \
        and encode the vocabulary, then --repeat times, and prints best and median seconds for \
        preprocessing, the CLIP trunk, the pixel decoder, the mask decoder, the out-of-vocabulary \
        branch with the ensemble, and post-processing. A real-size bundle with random weights \
        (for example from tools/convert-fcclip-checkpoint.py on synthetic checkpoints) measures \
        real-size speed.
        """
    )

    @OptionGroup var compute: ComputeOptions

    @Option(help: "The model bundle folder.")
    var model: String

    @Option(help: "An image file to segment (default: a random image of --size).")
    var image: String?

    @Option(help: "Size WIDTHxHEIGHT of the random image.")
    var size: String = "640x480"

    @Option(help: "Vocabulary (built-in NAME, inline, or @FILE).")
    var vocab: String = "thing: person; car; stuff: sky, clouds"

    @Option(help: "Timed repetitions.")
    var `repeat`: Int = 3

    func validate() throws {
        if `repeat` < 1 { throw ValidationError("--repeat must be at least 1") }
        if image == nil && parsedSize == nil { throw ValidationError("--size must be WIDTHxHEIGHT, e.g. 640x480") }
    }

    private var parsedSize: (Int, Int)? {
        let parts = size.lowercased().split(separator: "x")
        guard parts.count == 2, let w = Int(parts[0]), let h = Int(parts[1]), w > 0, h > 0 else { return nil }
        return (w, h)
    }

    func run() throws {
        compute.apply()
        let segmenter: Segmenter, vocabulary: Vocabulary, input: RGBImage
        do {
            segmenter = try Segmenter(bundle: ModelBundle(directory: model))
            vocabulary = try Vocabulary.resolve(vocab)
            if let image {
                input = try ImageDecoder.decode(path: image)
            } else {
                let (w, h) = parsedSize!
                var rng = SeededRandom(seed: 5)
                input = try RGBImage(width: w, height: h, pixels: (0..<(w * h * 3)).map { _ in UInt8(truncatingIfNeeded: rng.next() >> 56) })
            }
        } catch {
            throw CLIError(String(describing: error))
        }
        let first = segmenter.timedSegment(input, vocabulary: vocabulary).times
        let resized = segmenter.preprocessor.resizedSize(height: input.height, width: input.width)
        print("\(input.width)x\(input.height) → \(resized.width)x\(resized.height); \(vocabulary.classes.count) classes; "
              + "OpenBLAS \(BLASRuntime.coreName), \(ComputeThreads.count) thread(s)")
        print(String(format: "first run (includes encoding the vocabulary, %.2f s): %.2f s", first.text, first.total))
        var runs: [Segmenter.StageTimes] = []
        for _ in 0..<`repeat` { runs.append(segmenter.timedSegment(input, vocabulary: vocabulary).times) }
        let stages: [(String, KeyPath<Segmenter.StageTimes, Double>)] = [
            ("preprocess", \.preprocess), ("CLIP trunk", \.backbone), ("pixel decoder", \.pixelDecoder),
            ("mask decoder", \.maskDecoder), ("out-of-vocabulary + ensemble", \.outOfVocabulary),
            ("post-processing", \.postProcess), ("total", \.total),
        ]
        print("stage                           best s  median s")
        for (name, key) in stages {
            let t = runs.map { $0[keyPath: key] }.sorted()
            print(name.padding(toLength: 30, withPad: " ", startingAt: 0)
                  + leftPad(String(format: "%.3f", t[0]), 8) + leftPad(String(format: "%.3f", t[t.count / 2]), 10))
        }
    }
}
