import ArgumentParser
import Foundation
import Tensor

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure speed (numbers, not pass/fail).",
        subcommands: [BenchKernelsCommand.self, BenchBackboneCommand.self, BenchSegmentCommand.self, BenchPipelineCommand.self,
                      BenchTextCommand.self, BenchTrackCommand.self]
    )
}

/// `segd bench kernels`: GFLOP/s of the kernels that carry FC-CLIP, at ConvNeXt-L shapes.
struct BenchKernelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kernels",
        abstract: "GFLOP/s of GEMM, depthwise 7x7, attention and pointwise kernels at ConvNeXt-L / FC-CLIP shapes.",
        discussion: """
        Shapes are those of a 640x640 input: ConvNeXt-L MLPs (stage widths 192/384/768/1536), \
        the depthwise 7x7 of stages 0 and 2, the decoder's masked cross-attention (250 queries \
        against the stride-8 map) and the text transformer's self-attention. Each case runs \
        once to warm up, then --repeat times; the best and median times are reported. FLOPs \
        count 2 per multiply-add. Compare kernel sets by running once as is and once with \
        OPENBLAS_CORETYPE=Haswell.
        """
    )

    @OptionGroup var compute: ComputeOptions

    @Option(help: "Timed repetitions per case.")
    var `repeat`: Int = 5

    func validate() throws {
        if `repeat` < 1 { throw ValidationError("--repeat must be at least 1") }
    }

    func run() throws {
        compute.apply()
        print("OpenBLAS \(BLASRuntime.configuration), kernels \(BLASRuntime.coreName), \(ComputeThreads.count) thread(s)")
        print("case".padding(toLength: 52, withPad: " ", startingAt: 0) + "   best ms  median ms   GFLOP/s")
        var rng = SeededRandom(seed: 42)

        // GEMMs: ConvNeXt-L block MLPs (fc1: C -> 4C) at 640x640, tokens = (640/stride)².
        for (stage, c, side) in [(0, 192, 160), (1, 384, 80), (2, 768, 40), (3, 1536, 20)] {
            let x = rng.uniform([side * side, c]), w = rng.uniform([4 * c, c]), b = rng.uniform([4 * c])
            let flops = 2.0 * Double(side * side) * Double(c) * Double(4 * c)
            measure("GEMM  stage \(stage) mlp.fc1 [\(side * side)x\(c)]·[\(c)x\(4 * c)]", flops: flops) {
                _ = x.linear(weight: w, bias: b)
            }
        }
        // Patchify convolutions: stem (4x4/4) and a downsample (2x2/2).
        do {
            let img = rng.uniform([1, 640, 640, 3])
            let stem = Conv2dWeights(weight: rng.uniform([192, 3, 4, 4]), bias: rng.uniform([192]), stride: 4)
            measure("conv  stem 4x4/4 640x640x3 -> 160x160x192", flops: 2.0 * 160 * 160 * 192 * 48) { _ = img.conv2d(stem) }
            let x = rng.uniform([1, 80, 80, 384])
            let down = Conv2dWeights(weight: rng.uniform([768, 384, 2, 2]), bias: rng.uniform([768]), stride: 2)
            measure("conv  downsample 2x2/2 80x80x384 -> 40x40x768", flops: 2.0 * 40 * 40 * 768 * 384 * 4) { _ = x.conv2d(down) }
            let f = rng.uniform([1, 160, 160, 256])
            let conv3 = Conv2dWeights(weight: rng.uniform([256, 256, 3, 3]), bias: nil, padding: 1)
            measure("conv  3x3 pad 1 160x160x256 -> 256 (FPN layer_1)", flops: 2.0 * 160 * 160 * 256 * 256 * 9) { _ = f.conv2d(conv3) }
        }
        // Depthwise 7x7 (ConvNeXt conv_dw).
        for (stage, c, side) in [(0, 192, 160), (2, 768, 40)] {
            let x = rng.uniform([1, side, side, c])
            let dw = DepthwiseConv2dWeights(weight: rng.uniform([c, 1, 7, 7]), bias: rng.uniform([c]), padding: 3)
            measure("dw7x7 stage \(stage) \(side)x\(side)x\(c)", flops: 2.0 * 49 * Double(side * side * c)) { _ = x.depthwiseConv2d(dw) }
        }
        // Attention.
        do {
            let q = rng.uniform([250, 256]), k = rng.uniform([80 * 80, 256]), v = rng.uniform([80 * 80, 256])
            let flops = 2.0 * 2.0 * 250 * 6400 * 256
            measure("attn  decoder cross 250 x 6400 keys, 8 heads x 32", flops: flops) {
                _ = Tensor.attention(query: q, key: k, value: v, heads: 8)
            }
            let t = rng.uniform([64, 77, 768])
            measure("attn  text causal 64 prompts x 77, 12 heads x 64", flops: 64 * 2.0 * 2.0 * 77 * 77 * 768) {
                _ = Tensor.attention(query: t, key: t, value: t, heads: 12, mask: .causal)
            }
        }
        // Pointwise kernels (FLOP counts are nominal: 1 per element for GELU, 8 per element for LayerNorm).
        do {
            var h = rng.uniform([40 * 40, 3072])
            measure("GELU  stage 2 hidden 1600x3072 (Gelem/s)", flops: Double(h.count)) { h.applyGELU() }
            let x = rng.uniform([160 * 160, 192])
            let w = rng.uniform([192]), b = rng.uniform([192])
            measure("LN    stage 0 25600x192 (8 flop/elem)", flops: 8.0 * Double(x.count)) { _ = x.layerNorm(weight: w, bias: b, eps: 1e-6) }
        }
    }

    private func measure(_ name: String, flops: Double, _ body: () -> Void) {
        body()
        var times: [Double] = []
        for _ in 0..<`repeat` {
            let start = ContinuousClock.now
            body()
            let d = ContinuousClock.now - start
            times.append(Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18)
        }
        times.sort()
        let best = times[0], median = times[times.count / 2]
        let line = name.padding(toLength: 52, withPad: " ", startingAt: 0)
            + leftPad(String(format: "%.2f", best * 1e3), 10) + leftPad(String(format: "%.2f", median * 1e3), 11)
            + leftPad(String(format: "%.1f", flops / best / 1e9), 10)
        print(line)
    }
}
