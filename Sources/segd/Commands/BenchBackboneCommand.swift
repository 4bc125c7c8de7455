import ArgumentParser
import CLIP
import Foundation
import ModelIO
import Tensor

/// `segd bench backbone`: the real-size ConvNeXt trunk with seeded random weights.
struct BenchBackboneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backbone",
        abstract: "Time the CLIP ConvNeXt trunk at real size (seeded random weights, no download).",
        discussion: """
        Builds the trunk described by --config (default: the real ConvNeXt-L of FC-CLIP, \
        dims 192/384/768/1536, depths 3/3/27/3) with seeded random weights in memory, runs it \
        once to warm up, then --repeat times on a random image of --size, and reports seconds \
        per image and achieved GFLOP/s per stage (FLOPs counted analytically, 2 per multiply-add: \
        convolutions, depthwise convolutions and MLPs).
        """
    )

    @OptionGroup var compute: ComputeOptions

    @Option(help: "Input size WIDTHxHEIGHT (multiples of 32).")
    var size: String = "640x640"

    @Option(help: "Timed repetitions.")
    var `repeat`: Int = 3

    @Option(help: "A model.json to take the vision configuration from (default: real ConvNeXt-L).")
    var config: String?

    func validate() throws {
        guard let (w, h) = parsedSize, w > 0, h > 0, w % 32 == 0, h % 32 == 0 else {
            throw ValidationError("--size must be WIDTHxHEIGHT with both multiples of 32, e.g. 640x640")
        }
        if `repeat` < 1 { throw ValidationError("--repeat must be at least 1") }
    }

    private var parsedSize: (Int, Int)? {
        let parts = size.lowercased().split(separator: "x")
        guard parts.count == 2, let w = Int(parts[0]), let h = Int(parts[1]) else { return nil }
        return (w, h)
    }

    /// FC-CLIP's ConvNeXt-L vision tower (open_clip convnext_large_d_320).
    static let convNeXtLarge = try! JSONDecoder().decode(ModelConfig.VisionConfig.self, from: Data("""
        {"arch": "convnext", "depths": [3, 3, 27, 3], "dims": [192, 384, 768, 1536],
         "kernel_size": 7, "mlp_ratio": 4, "ln_eps": 1e-6, "head_hidden_dim": 1536}
        """.utf8))

    func run() throws {
        compute.apply()
        let vision: ModelConfig.VisionConfig
        if let config {
            do { vision = try ModelConfig.load(path: config).clip.vision } catch let e as ModelIOError { throw CLIError(e.description) }
        } else {
            vision = Self.convNeXtLarge
        }
        let (width, height) = parsedSize!
        let buildStart = ContinuousClock.now
        let trunk = try ConvNeXtTrunk(Weights(RandomTensorSource(seed: 2023), prefix: "backbone.clip_model.visual.trunk"), config: vision)
        let buildTime = seconds(ContinuousClock.now - buildStart)
        var rng = SeededRandom(seed: 7)
        let image = rng.uniform([1, height, width, 3])
        let flops = stageFLOPs(vision, height: height, width: width)
        print("ConvNeXt dims \(vision.dims) depths \(vision.depths) at \(width)x\(height); OpenBLAS kernels \(BLASRuntime.coreName), \(ComputeThreads.count) thread(s)")
        print(String(format: "built with seeded random weights in %.2f s; %.1f GFLOP per image", buildTime, flops.reduce(0, +) / 1e9))

        var stageTimes = [[Double]](repeating: [], count: 5), totals: [Double] = []
        for run in 0...`repeat` {
            var last = ContinuousClock.now
            let start = last
            var times = [Double](repeating: 0, count: 5)
            let features = trunk(image) { stage in
                let now = ContinuousClock.now
                times[stage + 1] = seconds(now - last)
                last = now
            }
            let total = seconds(ContinuousClock.now - start)
            guard features.res[3].scalars.allSatisfy({ $0.isFinite }) else { throw CLIError("non-finite features: the trunk is broken") }
            if run == 0 { continue } // warm-up
            for i in 0..<5 { stageTimes[i].append(times[i]) }
            totals.append(total)
        }
        print("stage        GFLOP   best s  median s   GFLOP/s")
        for (i, name) in ["stem", "stage 0", "stage 1", "stage 2", "stage 3"].enumerated() {
            let sorted = stageTimes[i].sorted()
            print(name.padding(toLength: 10, withPad: " ", startingAt: 0)
                  + leftPad(String(format: "%.1f", flops[i] / 1e9), 8) + leftPad(String(format: "%.3f", sorted[0]), 9)
                  + leftPad(String(format: "%.3f", sorted[sorted.count / 2]), 10) + leftPad(String(format: "%.1f", flops[i] / sorted[0] / 1e9), 10))
        }
        let sorted = totals.sorted()
        print(String(format: "total: best %.3f s, median %.3f s per image; %.1f GFLOP/s", sorted[0], sorted[sorted.count / 2],
                     flops.reduce(0, +) / sorted[0] / 1e9))
    }

    /// Analytic FLOPs of stem and each stage (2 per multiply-add).
    private func stageFLOPs(_ v: ModelConfig.VisionConfig, height: Int, width: Int) -> [Double] {
        var out: [Double] = []
        var h = height / 4, w = width / 4
        out.append(2.0 * Double(h * w) * Double(v.dims[0]) * 48)
        for s in 0..<4 {
            var f = 0.0
            if s > 0 {
                h /= 2; w /= 2
                f += 2.0 * Double(h * w) * Double(v.dims[s]) * Double(v.dims[s - 1] * 4)
            }
            let c = Double(v.dims[s]), hw = Double(h * w)
            let block = 2.0 * hw * c * Double(v.kernelSize * v.kernelSize) + 2.0 * 2.0 * hw * c * c * Double(v.mlpRatio)
            f += Double(v.depths[s]) * block
            out.append(f)
        }
        return out
    }

    private func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }
}
