import Testing
import Tensor

/// PyTorch `conv2d` by definition, in NCHW/OIHW and Double:
/// y[b][o][oy][ox] = bias[o] + Σ_{c<Cin/G, ky, kx} w[o][c][ky][kx] · x[b][g·Cin/G + c][oy·sy − py + ky][ox·sx − px + kx]
/// with g = o / (Cout/G) and out-of-range input reading as 0. Output size ⌊(H + 2p − k)/s⌋ + 1.
private func referenceConv2d(x: [Float], n: Int, cin: Int, h: Int, w: Int,
                             weight: [Float], cout: Int, kh: Int, kw: Int, bias: [Float]?,
                             stride: (Int, Int), padding: (Int, Int), groups: Int) -> (values: [Double], ho: Int, wo: Int) {
    let ho = Int((Double(h + 2 * padding.0 - kh) / Double(stride.0)).rounded(.down)) + 1
    let wo = Int((Double(w + 2 * padding.1 - kw) / Double(stride.1)).rounded(.down)) + 1
    let cinG = cin / groups, coutG = cout / groups
    var y = [Double](repeating: 0, count: n * cout * ho * wo)
    for b in 0..<n {
        for o in 0..<cout {
            let g = o / coutG
            for oy in 0..<ho {
                for ox in 0..<wo {
                    var s = bias.map { Double($0[o]) } ?? 0
                    for c in 0..<cinG {
                        let ic = g * cinG + c
                        for ky in 0..<kh {
                            let iy = oy * stride.0 - padding.0 + ky
                            if iy < 0 || iy >= h { continue }
                            for kx in 0..<kw {
                                let ix = ox * stride.1 - padding.1 + kx
                                if ix < 0 || ix >= w { continue }
                                s += Double(weight[((o * cinG + c) * kh + ky) * kw + kx]) * Double(x[((b * cin + ic) * h + iy) * w + ix])
                            }
                        }
                    }
                    y[((b * cout + o) * ho + oy) * wo + ox] = s
                }
            }
        }
    }
    return (y, ho, wo)
}

struct ConvCase: Sendable, CustomTestStringConvertible {
    var name: String
    var n = 1
    var cin: Int, cout: Int, h: Int, w: Int
    var kh: Int, kw: Int
    var stride: (y: Int, x: Int) = (1, 1)
    var padding: (y: Int, x: Int) = (0, 0)
    var groups = 1
    var bias = true
    var testDescription: String {
        "\(name): N\(n) \(cin)->\(cout) \(h)x\(w) k\(kh)x\(kw) s\(stride) p\(padding) g\(groups)\(bias ? "" : " no-bias")"
    }
}

private let convCases: [ConvCase] = [
    ConvCase(name: "3x3 pad 1", n: 2, cin: 5, cout: 7, h: 9, w: 11, kh: 3, kw: 3, padding: (1, 1)),
    ConvCase(name: "3x3 pad 1, no bias, 1 channel", cin: 1, cout: 3, h: 7, w: 7, kh: 3, kw: 3, padding: (1, 1), bias: false),
    ConvCase(name: "3x3 stride 2 pad 1, odd input", n: 2, cin: 6, cout: 4, h: 13, w: 9, kh: 3, kw: 3, stride: (2, 2), padding: (1, 1)),
    ConvCase(name: "3x3 stride 2 pad 1, even input", cin: 3, cout: 5, h: 8, w: 10, kh: 3, kw: 3, stride: (2, 2), padding: (1, 1)),
    ConvCase(name: "3x3 valid (no padding)", cin: 4, cout: 6, h: 8, w: 5, kh: 3, kw: 3),
    ConvCase(name: "patchify 4/4 (ConvNeXt stem)", n: 2, cin: 3, cout: 8, h: 16, w: 20, kh: 4, kw: 4, stride: (4, 4)),
    ConvCase(name: "patchify 4/4, input not divisible", cin: 3, cout: 5, h: 18, w: 17, kh: 4, kw: 4, stride: (4, 4)),
    ConvCase(name: "patchify 2/2 (downsampling)", cin: 8, cout: 16, h: 10, w: 14, kh: 2, kw: 2, stride: (2, 2)),
    ConvCase(name: "patchify 2/2, odd input", cin: 6, cout: 4, h: 7, w: 9, kh: 2, kw: 2, stride: (2, 2)),
    ConvCase(name: "1x1 pointwise", n: 2, cin: 17, cout: 9, h: 7, w: 5, kh: 1, kw: 1),
    ConvCase(name: "1x1 pointwise, no bias", cin: 24, cout: 3, h: 3, w: 1, kh: 1, kw: 1, bias: false),
    ConvCase(name: "1x1 pointwise groups 2", cin: 6, cout: 10, h: 5, w: 6, kh: 1, kw: 1, groups: 2),
    ConvCase(name: "1x1 stride 2 (not pointwise)", cin: 5, cout: 3, h: 9, w: 9, kh: 1, kw: 1, stride: (2, 2)),
    ConvCase(name: "1x1 pad 1 (not pointwise)", cin: 4, cout: 2, h: 3, w: 4, kh: 1, kw: 1, padding: (1, 1)),
    ConvCase(name: "3x3 groups 2", n: 2, cin: 6, cout: 4, h: 7, w: 8, kh: 3, kw: 3, padding: (1, 1), groups: 2),
    ConvCase(name: "3x3 groups = C (depthwise through conv2d)", cin: 8, cout: 8, h: 9, w: 6, kh: 3, kw: 3, padding: (1, 1), groups: 8),
    ConvCase(name: "3x3 groups = Cin, channel multiplier 2", cin: 4, cout: 8, h: 6, w: 7, kh: 3, kw: 3, padding: (1, 1), groups: 4),
    ConvCase(name: "3x3 stride 2 groups 3", cin: 9, cout: 6, h: 11, w: 10, kh: 3, kw: 3, stride: (2, 2), padding: (1, 1), groups: 3),
    ConvCase(name: "7x7 pad 3", cin: 3, cout: 2, h: 12, w: 10, kh: 7, kw: 7, padding: (3, 3)),
    ConvCase(name: "5x5 pad 2 on a 3x3 input (smaller than kernel)", cin: 2, cout: 3, h: 3, w: 3, kh: 5, kw: 5, padding: (2, 2)),
    ConvCase(name: "1x3 pad (0,1)", cin: 3, cout: 4, h: 5, w: 8, kh: 1, kw: 3, padding: (0, 1)),
    ConvCase(name: "3x1 pad (1,0) stride (1,2)", cin: 3, cout: 4, h: 6, w: 9, kh: 3, kw: 1, stride: (1, 2), padding: (1, 0)),
    ConvCase(name: "3x3 pad 1 on a single row", cin: 2, cout: 2, h: 1, w: 17, kh: 3, kw: 3, padding: (1, 1)),
    ConvCase(name: "2x2 pad 1 (even kernel, padded)", cin: 3, cout: 3, h: 5, w: 4, kh: 2, kw: 2, padding: (1, 1)),
    // Patch buffer of K = 7·7·64 = 3136 floats per pixel: 16 MiB holds 33 rows of 40 pixels, so the
    // 40 output rows are computed in two bands (33 + 7); a band offset error shows up here.
    ConvCase(name: "7x7 pad 3, two im2col bands", cin: 64, cout: 4, h: 40, w: 40, kh: 7, kw: 7, padding: (3, 3)),
    ConvCase(name: "7x7 pad 3 groups 2, two im2col bands", cin: 128, cout: 4, h: 36, w: 40, kh: 7, kw: 7, padding: (3, 3), groups: 2),
]

@Suite("conv2d (NHWC input, OIHW weights)")
struct ConvolutionTests {
    @Test("conv2d matches PyTorch's NCHW definition", arguments: convCases)
    func againstReference(_ c: ConvCase) {
        check(c, seed: UInt64(c.cin * 1000 + c.cout * 10 + c.kh))
    }

    @Test("conv2d on random configurations (kernel, stride, padding, groups per axis)", arguments: 0..<40)
    func randomConfigurations(_ index: Int) {
        var rng = SplitMix64(seed: 0xC0DE + UInt64(index))
        let groups = rng.nextInt(in: 1...3)
        let kh = rng.nextInt(in: 1...5), kw = rng.nextInt(in: 1...5)
        let padding = (y: rng.nextInt(in: 0...kh), x: rng.nextInt(in: 0...kw))
        let h = rng.nextInt(in: max(1, kh - 2 * padding.y)...14), w = rng.nextInt(in: max(1, kw - 2 * padding.x)...14)
        let c = ConvCase(name: "random #\(index)", n: rng.nextInt(in: 1...2),
                         cin: groups * rng.nextInt(in: 1...6), cout: groups * rng.nextInt(in: 1...5), h: h, w: w,
                         kh: kh, kw: kw, stride: (rng.nextInt(in: 1...3), rng.nextInt(in: 1...3)), padding: padding,
                         groups: groups, bias: rng.nextInt(in: 0...1) == 1)
        check(c, seed: UInt64(1000 + index))
    }

    private func check(_ c: ConvCase, seed: UInt64) {
        let xNCHW = randomFloats(c.n * c.cin * c.h * c.w, seed: seed)
        let weight = randomFloats(c.cout * (c.cin / c.groups) * c.kh * c.kw, seed: seed + 1)
        let bias = c.bias ? randomFloats(c.cout, seed: seed + 2) : nil
        let conv = Conv2dWeights(weight: Tensor(shape: [c.cout, c.cin / c.groups, c.kh, c.kw], values: weight),
                                 bias: bias.map { Tensor(shape: [c.cout], values: $0) },
                                 stride: c.stride, padding: c.padding, groups: c.groups)
        #expect(conv.inChannels == c.cin && conv.outChannels == c.cout && conv.groups == c.groups)
        let x = Tensor(shape: [c.n, c.h, c.w, c.cin], values: nchwToNHWC(xNCHW, n: c.n, c: c.cin, h: c.h, w: c.w))
        let y = x.conv2d(conv)
        let ref = referenceConv2d(x: xNCHW, n: c.n, cin: c.cin, h: c.h, w: c.w, weight: weight, cout: c.cout,
                                  kh: c.kh, kw: c.kw, bias: bias, stride: (c.stride.y, c.stride.x),
                                  padding: (c.padding.y, c.padding.x), groups: c.groups)
        #expect(y.shape == [c.n, ref.ho, ref.wo, c.cout], "\(c.testDescription)")
        guard y.shape == [c.n, ref.ho, ref.wo, c.cout] else { return }
        let got = nhwcToNCHW(y.scalars, n: c.n, h: ref.ho, w: ref.wo, c: c.cout)
        // float32 sums of K = kh·kw·Cin/G ≤ 3136 products: typical relative error ~√K·6e-8 ≤ 3.4e-6
        // (far less for the small cases); 1e-5 relative L2. A padding off-by-one, a wrong tap
        // order or a misplaced band changes many outputs by O(1) and gives ≳ 1e-2.
        #expect(relativeL2(got, ref.values) <= 1e-5, "\(c.testDescription)")
    }

    @Test("a 3x3 all-ones kernel with padding 1 counts the in-bounds taps (hand-checked borders)")
    func borderCounts() {
        // Ones everywhere: each output is the number of kernel taps that land inside the map
        // plus the bias: 4 at corners, 6 on edges, 9 inside.
        let x = Tensor(shape: [1, 4, 5, 1], repeating: 1)
        let conv = Conv2dWeights(weight: Tensor(shape: [1, 1, 3, 3], repeating: 1),
                                 bias: Tensor(shape: [1], values: [0.5]), padding: 1)
        let y = x.conv2d(conv)
        #expect(y.shape == [1, 4, 5, 1])
        let want: [Float] = [4, 6, 6, 6, 4,
                             6, 9, 9, 9, 6,
                             6, 9, 9, 9, 6,
                             4, 6, 6, 6, 4].map { $0 + 0.5 }
        #expect(y.scalars == want) // exact: small integer sums
    }

    @Test("stride 2 / padding 1 on a 5x5 ramp, hand-computed")
    func strideTwoHandChecked() {
        // x[i][j] = 5i + j; kernel picks only the centre tap (weight 1 at [1][1]), so with
        // stride 2 and padding 1 the output is x at (0,0), (0,2), (0,4), (2,0), ... exactly.
        let x = Tensor(shape: [1, 5, 5, 1], values: (0..<25).map(Float.init))
        var k = [Float](repeating: 0, count: 9)
        k[4] = 1
        let conv = Conv2dWeights(weight: Tensor(shape: [1, 1, 3, 3], values: k), bias: nil, stride: 2, padding: 1)
        let y = x.conv2d(conv)
        #expect(y.shape == [1, 3, 3, 1])
        #expect(y.scalars == [0, 2, 4, 10, 12, 14, 20, 22, 24])
        // Top-left tap instead (weight 1 at [0][0]) reads x[2oy-1][2ox-1]: zero on the first row/column.
        k = [Float](repeating: 0, count: 9)
        k[0] = 1
        let corner = Conv2dWeights(weight: Tensor(shape: [1, 1, 3, 3], values: k), bias: nil, stride: 2, padding: 1)
        #expect(x.conv2d(corner).scalars == [0, 0, 0, 0, 6, 8, 0, 16, 18])
    }

    @Test("outputSize follows PyTorch's ⌊(H + 2p − k)/s⌋ + 1", arguments: [
        (16, 4, 4, 0, 4), (17, 4, 4, 0, 4), (13, 3, 2, 1, 7), (8, 3, 2, 1, 4), (9, 7, 1, 3, 9), (3, 5, 1, 2, 3),
        (1, 3, 1, 1, 1), (5, 1, 2, 0, 3),
    ])
    func outputSize(_ c: (h: Int, k: Int, s: Int, p: Int, want: Int)) {
        let conv = Conv2dWeights(weight: Tensor(shape: [1, 1, c.k, c.k]), bias: nil, stride: c.s, padding: c.p)
        let size = conv.outputSize(height: c.h, width: c.h)
        #expect(size.height == c.want && size.width == c.want)
    }

    @Test("an input smaller than a strided kernel has no valid output position (PyTorch raises)")
    func outputSizeSmallerThanStridedKernel() {
        // H + 2p − k = 2 − 3 = −1, and ⌊−1/2⌋ + 1 = 0: there is no window that fits, so conv2d
        // must reject the input. Truncating integer division gives (−1)/2 + 1 = 1 instead, and
        // conv2d then silently returns a 1x1 output from a window hanging off the map.
        let conv = Conv2dWeights(weight: Tensor(shape: [1, 1, 3, 3]), bias: nil, stride: 2, padding: 0)
        let size = conv.outputSize(height: 2, width: 2)
        #expect(size.height <= 0 && size.width <= 0, "outputSize(2x2, k3 s2 p0) = \(size), PyTorch gives 0x0 (error)")
    }

    @Test("conv2d does not modify its input")
    func inputUnchanged() {
        let x = Tensor.random(shape: [1, 6, 6, 3], seed: 99)
        let before = x.scalars
        let conv = Conv2dWeights(weight: Tensor.random(shape: [4, 3, 3, 3], seed: 98), bias: nil, padding: 1)
        _ = x.conv2d(conv)
        #expect(x.scalars == before)
    }
}
