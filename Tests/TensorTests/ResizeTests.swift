import Testing
import Tensor

/// `F.interpolate(mode="bilinear", align_corners=False)` by its definition, in NCHW and Double:
/// source coordinate s = max((i + ½)·in/out − ½, 0), i0 = min(⌊s⌋, in − 1), i1 = min(i0 + 1, in − 1),
/// λ = s − i0.
private func referenceResize(_ x: [Float], n: Int, c: Int, h: Int, w: Int, outH: Int, outW: Int) -> [Double] {
    func taps(_ size: Int, _ out: Int) -> [(Int, Int, Double)] {
        (0..<out).map { i in
            let s = max((Double(i) + 0.5) * Double(size) / Double(out) - 0.5, 0)
            let i0 = min(Int(s.rounded(.down)), size - 1)
            let i1 = min(i0 + 1, size - 1)
            return (i0, i1, min(s - Double(i0), 1))
        }
    }
    let ty = taps(h, outH), tx = taps(w, outW)
    var y = [Double](repeating: 0, count: n * c * outH * outW)
    for b in 0..<n {
        for ch in 0..<c {
            func at(_ i: Int, _ j: Int) -> Double { Double(x[((b * c + ch) * h + i) * w + j]) }
            for oy in 0..<outH {
                let (y0, y1, ly) = ty[oy]
                for ox in 0..<outW {
                    let (x0, x1, lx) = tx[ox]
                    y[((b * c + ch) * outH + oy) * outW + ox] =
                        (1 - ly) * ((1 - lx) * at(y0, x0) + lx * at(y0, x1)) + ly * ((1 - lx) * at(y1, x0) + lx * at(y1, x1))
                }
            }
        }
    }
    return y
}

struct ResizeCase: Sendable, CustomTestStringConvertible {
    var n: Int, c: Int, h: Int, w: Int, outH: Int, outW: Int
    var testDescription: String { "N\(n) C\(c) \(h)x\(w) → \(outH)x\(outW)" }
}

@Suite("resizedBilinear (align_corners = False)")
struct ResizeTests {
    @Test("upscale [0, 1] (W = 2) to W = 4 gives exactly [0, 0.25, 0.75, 1]")
    func upscaleHandChecked() {
        // align_corners=True would give [0, 1/3, 2/3, 1].
        let x = Tensor(shape: [1, 1, 2, 1], values: [0, 1])
        let y = x.resizedBilinear(height: 1, width: 4)
        #expect(y.shape == [1, 1, 4, 1])
        #expect(y.scalars == [0, 0.25, 0.75, 1]) // exact: the scale and weights are dyadic
    }

    @Test("downscale [0, 1, 2, 3] to W = 2 gives exactly [0.5, 2.5]")
    func downscaleHandChecked() {
        // align_corners=True would give [0, 3]; an antialiased resize would also differ.
        let x = Tensor(shape: [1, 1, 4, 1], values: [0, 1, 2, 3])
        #expect(x.resizedBilinear(height: 1, width: 2).scalars == [0.5, 2.5])
    }

    @Test("upscale [0, 1, 2] to 5 gives [0, 0.4, 1, 1.6, 2] (align_corners=True: [0, 0.5, 1, 1.5, 2])")
    func upscaleThreeToFive() {
        let y = Tensor(shape: [1, 1, 3, 1], values: [0, 1, 2]).resizedBilinear(height: 1, width: 5).scalars
        // 3/5 is not exact in float32; PyTorch computes the source index in float too: ~1e-7.
        #expect(maxAbsError(y, [0, 0.4, 1, 1.6, 2]) <= 1e-6)
    }

    @Test("the height axis follows the same rule")
    func heightAxis() {
        let x = Tensor(shape: [1, 2, 1, 2], values: [0, 10, 1, 20]) // two channels
        let y = x.resizedBilinear(height: 4, width: 1)
        #expect(y.shape == [1, 4, 1, 2])
        #expect(y.scalars == [0, 10, 0.25, 12.5, 0.75, 17.5, 1, 20]) // exact, as above
    }

    @Test("halving averages 2x2 blocks; resizing to 1x1 averages the two central pixels per axis")
    func downscaleAverages() {
        let (h, w, c) = (8, 6, 3)
        let x = Tensor.random(shape: [1, h, w, c], seed: 3)
        let half = x.resizedBilinear(height: h / 2, width: w / 2)
        var worst: Float = 0
        for i in 0..<(h / 2) {
            for j in 0..<(w / 2) {
                for ch in 0..<c {
                    let avg = (x[0, 2 * i, 2 * j, ch] + x[0, 2 * i, 2 * j + 1, ch] + x[0, 2 * i + 1, 2 * j, ch] + x[0, 2 * i + 1, 2 * j + 1, ch]) / 4
                    worst = max(worst, abs(half[0, i, j, ch] - avg))
                }
            }
        }
        #expect(worst <= 1e-6) // a few float roundings of values ≤ 1
        // 4x4 → 1x1: s = 4·½ − ½ = 1.5 on both axes, the mean of the central 2x2 block.
        let x4 = Tensor(shape: [1, 4, 4, 1], values: (0..<16).map(Float.init))
        #expect(x4.resizedBilinear(height: 1, width: 1).scalars == [7.5]) // (5 + 6 + 9 + 10)/4
    }

    @Test("same size is the identity")
    func identity() {
        let x = Tensor.random(shape: [2, 5, 3, 4], seed: 1)
        #expect(x.resizedBilinear(height: 5, width: 3).scalars == x.scalars)
    }

    @Test("random sizes against the NCHW reference", arguments: [
        ResizeCase(n: 2, c: 3, h: 5, w: 7, outH: 11, outW: 3),
        ResizeCase(n: 1, c: 1, h: 17, w: 9, outH: 4, outW: 20),
        ResizeCase(n: 1, c: 17, h: 3, w: 3, outH: 7, outW: 7),
        ResizeCase(n: 1, c: 5, h: 1, w: 6, outH: 4, outW: 13),
        ResizeCase(n: 3, c: 2, h: 20, w: 16, outH: 5, outW: 4),
        ResizeCase(n: 1, c: 4, h: 7, w: 7, outH: 1, outW: 1),
        ResizeCase(n: 1, c: 6, h: 33, w: 1, outH: 40, outW: 2),
    ])
    func againstReference(_ t: ResizeCase) {
        let xNCHW = randomFloats(t.n * t.c * t.h * t.w, seed: UInt64(t.h * 100 + t.w))
        let x = Tensor(shape: [t.n, t.h, t.w, t.c], values: nchwToNHWC(xNCHW, n: t.n, c: t.c, h: t.h, w: t.w))
        let y = x.resizedBilinear(height: t.outH, width: t.outW)
        #expect(y.shape == [t.n, t.outH, t.outW, t.c])
        let got = nhwcToNCHW(y.scalars, n: t.n, h: t.outH, w: t.outW, c: t.c)
        let want = referenceResize(xNCHW, n: t.n, c: t.c, h: t.h, w: t.w, outH: t.outH, outW: t.outW)
        // Four products and the float32 weights (source index computed in float, as PyTorch does,
        // vs Double here): ~1e-7 per element; 2e-6 relative L2 (elementwise tolerance).
        // align_corners=True or a missing ½-pixel shift is off by ≳ 1e-1.
        #expect(relativeL2(got, want) <= 2e-6)
    }
}
