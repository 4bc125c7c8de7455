import Testing
import Tensor

/// `F.grid_sample(mode="bilinear", padding_mode="zeros", align_corners=False)` by definition on an
/// NCHW map in Double: ix = ((x + 1)·W − 1)/2, iy = ((y + 1)·H − 1)/2, the four integer neighbours
/// weighted bilinearly, neighbours outside the map reading 0. Grid `[N, Ho, Wo, 2]` holds (x, y).
private func referenceGridSample(_ x: [Float], n: Int, c: Int, h: Int, w: Int,
                                 grid: [Float], ho: Int, wo: Int) -> [Double] {
    var y = [Double](repeating: 0, count: n * c * ho * wo)
    for b in 0..<n {
        for p in 0..<(ho * wo) {
            let gx = Double(grid[(b * ho * wo + p) * 2]), gy = Double(grid[(b * ho * wo + p) * 2 + 1])
            let ix = ((gx + 1) * Double(w) - 1) / 2, iy = ((gy + 1) * Double(h) - 1) / 2
            guard ix.isFinite && iy.isFinite else { continue }
            let x0 = Int(ix.rounded(.down)), y0 = Int(iy.rounded(.down))
            let ax = ix - Double(x0), ay = iy - Double(y0)
            for ch in 0..<c {
                func at(_ i: Int, _ j: Int) -> Double {
                    (i >= 0 && i < h && j >= 0 && j < w) ? Double(x[((b * c + ch) * h + i) * w + j]) : 0
                }
                y[(b * c + ch) * ho * wo + p] = (1 - ay) * ((1 - ax) * at(y0, x0) + ax * at(y0, x0 + 1))
                    + ay * ((1 - ax) * at(y0 + 1, x0) + ax * at(y0 + 1, x0 + 1))
            }
        }
    }
    return y
}

@Suite("gridSampleBilinear (zeros padding, align_corners = False)")
struct GridSampleTests {
    /// Samples a 1-row map [10, 20] (H = 1, W = 2) at the given x with y = 0 (the row centre).
    private func sampleRow(_ xs: [Float]) -> [Float] {
        let map = Tensor(shape: [1, 1, 2, 1], values: [10, 20])
        let grid = Tensor(shape: [1, 1, xs.count, 2], values: xs.flatMap { [$0, 0] })
        return map.gridSampleBilinear(grid: grid).scalars
    }

    @Test("x = ±1 is the outer edge of the border pixel: half weight against the zero padding")
    func edges() {
        // ix = ((x + 1)·2 − 1)/2: x = −1 → −0.5 (half of pixel 0), x = 1 → 1.5 (half of pixel 1),
        // x = −0.5 → 0 (pixel 0's centre), x = 0 → 0.5 (midway), x = 0.5 → 1 (pixel 1's centre).
        // align_corners=True would map ±1 to the pixel centres (10 and 20).
        #expect(sampleRow([-1, 1, -0.5, 0, 0.5]) == [5, 10, 10, 15, 20]) // exact: dyadic weights
    }

    @Test("a point one pixel beyond the edge (x = −1 − 2/W) contributes nothing")
    func beyondEdge() {
        // x = −2 with W = 2 → ix = −1.5: neighbours −2 and −1 are both outside → 0.
        // x = 2 → ix = 2.5: neighbours 2 and 3 are outside → 0. x = −1.5 → ix = −1: weight 0 on pixel 0.
        #expect(sampleRow([-2, 2, -1.5, 1.5, -100, 100]) == [0, 0, 0, 0, 0, 0])
        // Between: x = −1.25 → ix = −0.75, a quarter of pixel 0.
        #expect(sampleRow([-1.25]) == [2.5])
    }

    @Test("corners (±1, ±1) take a quarter of the corner pixel")
    func corners() {
        let map = Tensor(shape: [1, 2, 2, 1], values: [1, 2, 3, 4])
        let grid = Tensor(shape: [1, 1, 4, 2], values: [-1, -1, 1, -1, -1, 1, 1, 1])
        #expect(map.gridSampleBilinear(grid: grid).scalars == [0.25, 0.5, 0.75, 1]) // exact
    }

    @Test("non-finite locations give zeros")
    func nonFinite() {
        let map = Tensor(shape: [1, 2, 2, 3], repeating: 1)
        let grid = Tensor(shape: [1, 1, 3, 2], values: [.nan, 0, 0, .infinity, -.infinity, .nan])
        #expect(map.gridSampleBilinear(grid: grid).scalars == [Float](repeating: 0, count: 9))
    }

    @Test("sampling at every pixel centre reproduces the map")
    func identityGrid() {
        let (h, w, c) = (5, 7, 4)
        let x = Tensor.random(shape: [2, h, w, c], seed: 2)
        var g = [Float]()
        for _ in 0..<2 {
            for i in 0..<h {
                for j in 0..<w { g += [(2 * Float(j) + 1) / Float(w) - 1, (2 * Float(i) + 1) / Float(h) - 1] }
            }
        }
        let y = x.gridSampleBilinear(grid: Tensor(shape: [2, h, w, 2], values: g))
        #expect(y.shape == x.shape)
        // The centre coordinates are rounded to float, so λ is ~1e-7 instead of 0.
        #expect(maxAbsError(y.scalars, x.doubles) <= 1e-6)
    }

    @Test("random grids inside and outside the map against the NCHW reference", arguments: [(1, 1, 1, 1), (2, 6, 9, 5), (1, 11, 4, 17), (2, 3, 20, 2)])
    func againstReference(_ s: (n: Int, h: Int, w: Int, c: Int)) {
        let (ho, wo) = (4, 7)
        let xNCHW = randomFloats(s.n * s.c * s.h * s.w, seed: UInt64(s.h * 31 + s.w))
        let grid = randomFloats(s.n * ho * wo * 2, seed: UInt64(s.c), in: -1.4...1.4)
        let x = Tensor(shape: [s.n, s.h, s.w, s.c], values: nchwToNHWC(xNCHW, n: s.n, c: s.c, h: s.h, w: s.w))
        let y = x.gridSampleBilinear(grid: Tensor(shape: [s.n, ho, wo, 2], values: grid))
        #expect(y.shape == [s.n, ho, wo, s.c])
        let got = nhwcToNCHW(y.scalars, n: s.n, h: ho, w: wo, c: s.c)
        let want = referenceGridSample(xNCHW, n: s.n, c: s.c, h: s.h, w: s.w, grid: grid, ho: ho, wo: wo)
        // Float32 pixel coordinates (|ix| ≤ 30, ulp 2e-6) and four weighted products: ≲ 1e-6
        // relative; 1e-5 relative L2. Wrong edge handling or align_corners=True is off by ≳ 1e-1.
        #expect(relativeL2(got, want) <= 1e-5)
    }
}
