import Testing
import Tensor

/// PyTorch `conv2d(groups = C)` with a `[C, 1, k, k]` weight, stride 1, by definition in NCHW/Double:
/// y[b][c][oy][ox] = bias[c] + Σ_{ky,kx} w[c][0][ky][kx] · x[b][c][oy − p + ky][ox − p + kx] (zero outside).
private func referenceDepthwise(x: [Float], n: Int, c: Int, h: Int, w: Int,
                                weight: [Float], k: Int, bias: [Float]?, padding p: Int) -> (values: [Double], ho: Int, wo: Int) {
    let ho = h + 2 * p - k + 1, wo = w + 2 * p - k + 1
    var y = [Double](repeating: 0, count: n * c * ho * wo)
    for b in 0..<n {
        for ch in 0..<c {
            for oy in 0..<ho {
                for ox in 0..<wo {
                    var s = bias.map { Double($0[ch]) } ?? 0
                    for ky in 0..<k {
                        let iy = oy - p + ky
                        guard iy >= 0 && iy < h else { continue }
                        for kx in 0..<k {
                            let ix = ox - p + kx
                            guard ix >= 0 && ix < w else { continue }
                            s += Double(weight[(ch * k + ky) * k + kx]) * Double(x[((b * c + ch) * h + iy) * w + ix])
                        }
                    }
                    y[((b * c + ch) * ho + oy) * wo + ox] = s
                }
            }
        }
    }
    return (y, ho, wo)
}

struct DepthwiseCase: Sendable, CustomTestStringConvertible {
    var n = 1
    var c: Int, h: Int, w: Int, k: Int, p: Int
    var bias = true
    var testDescription: String { "N\(n) C\(c) \(h)x\(w) k\(k) p\(p)\(bias ? "" : " no-bias")" }
}

/// Channel counts around the 16-lane vector width (tails 1, 15, 0, 1, 8) and inputs both larger
/// and smaller than the kernel, so every border clipping path of the tap loop is exercised.
private let depthwiseCases: [DepthwiseCase] = [
    DepthwiseCase(c: 17, h: 9, w: 11, k: 7, p: 3),
    DepthwiseCase(n: 2, c: 16, h: 12, w: 10, k: 7, p: 3),
    DepthwiseCase(c: 33, h: 8, w: 8, k: 7, p: 3, bias: false),
    DepthwiseCase(c: 3, h: 20, w: 19, k: 7, p: 3),
    DepthwiseCase(c: 1, h: 7, w: 7, k: 7, p: 3),
    DepthwiseCase(c: 24, h: 5, w: 4, k: 7, p: 3),  // input smaller than the kernel
    DepthwiseCase(c: 5, h: 1, w: 1, k: 7, p: 3),   // a single pixel: only the centre tap is inside
    DepthwiseCase(c: 7, h: 3, w: 17, k: 7, p: 3),
    DepthwiseCase(n: 2, c: 8, h: 9, w: 6, k: 3, p: 1),
    DepthwiseCase(c: 20, h: 10, w: 7, k: 3, p: 0),  // valid convolution, output smaller than input
    DepthwiseCase(c: 6, h: 6, w: 9, k: 5, p: 1),    // partial padding
    DepthwiseCase(c: 4, h: 5, w: 5, k: 3, p: 2),    // padding larger than k/2: output larger than input
    DepthwiseCase(c: 9, h: 4, w: 6, k: 1, p: 0),
]

@Suite("depthwiseConv2d")
struct DepthwiseConvolutionTests {
    @Test("depthwiseConv2d matches PyTorch's grouped conv2d definition", arguments: depthwiseCases)
    func againstReference(_ t: DepthwiseCase) {
        check(t, seed: UInt64(t.c * 100 + t.h * 10 + t.k))
    }

    @Test("depthwiseConv2d on random configurations", arguments: 0..<40)
    func randomConfigurations(_ index: Int) {
        var rng = SplitMix64(seed: 0xD00D + UInt64(index))
        let k = [1, 3, 5, 7][rng.nextInt(in: 0...3)]
        let p = rng.nextInt(in: 0...k)
        let lo = max(1, k - 2 * p)
        let t = DepthwiseCase(n: rng.nextInt(in: 1...2), c: rng.nextInt(in: 1...40), h: rng.nextInt(in: lo...16),
                              w: rng.nextInt(in: lo...16), k: k, p: p, bias: rng.nextInt(in: 0...1) == 1)
        check(t, seed: UInt64(2000 + index))
    }

    private func check(_ t: DepthwiseCase, seed: UInt64) {
        let xNCHW = randomFloats(t.n * t.c * t.h * t.w, seed: seed)
        let weight = randomFloats(t.c * t.k * t.k, seed: seed + 1)
        let bias = t.bias ? randomFloats(t.c, seed: seed + 2) : nil
        let conv = DepthwiseConv2dWeights(weight: Tensor(shape: [t.c, 1, t.k, t.k], values: weight),
                                          bias: bias.map { Tensor(shape: [t.c], values: $0) }, padding: t.p)
        #expect(conv.channels == t.c && conv.kernelSize == t.k && conv.padding == t.p)
        let x = Tensor(shape: [t.n, t.h, t.w, t.c], values: nchwToNHWC(xNCHW, n: t.n, c: t.c, h: t.h, w: t.w))
        let y = x.depthwiseConv2d(conv)
        let ref = referenceDepthwise(x: xNCHW, n: t.n, c: t.c, h: t.h, w: t.w, weight: weight, k: t.k, bias: bias, padding: t.p)
        #expect(y.shape == [t.n, ref.ho, ref.wo, t.c], "\(t.testDescription)")
        guard y.shape == [t.n, ref.ho, ref.wo, t.c] else { return }
        let got = nhwcToNCHW(y.scalars, n: t.n, h: ref.ho, w: ref.wo, c: t.c)
        // ≤ 49 float32 multiply-adds per output: typical relative error ~√49·6e-8 ≈ 4e-7;
        // 2e-6 relative L2. A missing or extra border tap changes outputs by O(1/7).
        #expect(relativeL2(got, ref.values) <= 2e-6, "\(t.testDescription)")
    }

    @Test("7x7 all-ones kernel with padding 3: in-bounds tap counts near every border (hand-checked)")
    func borderTapCounts() {
        // With ones everywhere each output equals (#rows in range)·(#cols in range) + bias. For a
        // 9x9 map, the number of valid taps along an axis at position i is
        // min(i, 3) + 1 + min(8 − i, 3): 4, 5, 6, 7, 7, 7, 6, 5, 4.
        let c = 18 // one full 16-lane vector plus a 2-channel tail
        let x = Tensor(shape: [1, 9, 9, c], repeating: 1)
        let conv = DepthwiseConv2dWeights(weight: Tensor(shape: [c, 1, 7, 7], repeating: 1),
                                          bias: Tensor(shape: [c], repeating: 0.25), padding: 3)
        let y = x.depthwiseConv2d(conv)
        #expect(y.shape == [1, 9, 9, c])
        let taps: [Float] = [4, 5, 6, 7, 7, 7, 6, 5, 4]
        var mismatches: [String] = []
        for i in 0..<9 {
            for j in 0..<9 {
                for ch in 0..<c where y[0, i, j, ch] != taps[i] * taps[j] + 0.25 {
                    mismatches.append("(\(i),\(j),c\(ch)) = \(y[0, i, j, ch]), want \(taps[i] * taps[j] + 0.25)")
                }
            }
        }
        #expect(mismatches.count == 0, "first mismatches: \(mismatches.prefix(6))") // exact: small integer sums
    }

    @Test("each channel uses its own filter: one-hot taps shift each channel differently")
    func perChannelFilters() {
        // Channel c has a single 1 at tap (c / 3, c % 3) of a 3x3 kernel, so with padding 1 it
        // returns x shifted by (c/3 − 1, c%3 − 1), zero-filled: checks the tap-to-channel packing.
        let (h, w, c) = (5, 6, 9)
        let x = Tensor.random(shape: [1, h, w, c], seed: 5)
        var weight = [Float](repeating: 0, count: c * 9)
        for ch in 0..<c { weight[ch * 9 + ch] = 1 }
        let conv = DepthwiseConv2dWeights(weight: Tensor(shape: [c, 1, 3, 3], values: weight), bias: nil, padding: 1)
        let y = x.depthwiseConv2d(conv)
        var bad = 0
        for i in 0..<h {
            for j in 0..<w {
                for ch in 0..<c {
                    let (iy, ix) = (i + ch / 3 - 1, j + ch % 3 - 1)
                    let want: Float = (iy >= 0 && iy < h && ix >= 0 && ix < w) ? x[0, iy, ix, ch] : 0
                    if y[0, i, j, ch] != want { bad += 1 }
                }
            }
        }
        #expect(bad == 0) // exact: one product by 1 per output
    }
}
