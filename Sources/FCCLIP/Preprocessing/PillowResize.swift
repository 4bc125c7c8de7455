import Tensor

/// Pillow's `Image.resize(size, Image.BILINEAR)` on an 8-bit RGB image, bit for bit
/// (Pillow `src/libImaging/Resample.c`, the `_8bpc` path; spec §2.2).
///
/// The algorithm, per axis (in → out samples):
/// - `scale = in / out`, `filterscale = max(scale, 1)`, `support = 1 · filterscale`
///   (the triangle filter's support of 1, widened when downscaling: this is the antialiasing).
/// - Output sample `i` is centred at `center = (i + 0.5) · scale` in input coordinates. Its taps
///   run from `Int(center − support + 0.5)` to `Int(center + support + 0.5)` (C truncation),
///   clipped to `[0, in)`.
/// - Tap `x` gets `triangle((x − center + 0.5) · (1 / filterscale))`, with
///   `triangle(t) = max(0, 1 − |t|)`; the taps are divided by their sum (so edge samples
///   renormalise rather than clamp), then converted to 22-bit fixed point, rounding half away
///   from zero: `Int32(0.5 + w · 2²²)`.
/// - A pixel is `clip((2²¹ + Σ k·v) >> 22)` to `[0, 255]`, per channel, in Int32.
///
/// The horizontal pass runs first, over only the rows the vertical pass will read, and writes
/// uint8; the vertical pass then reads those uint8 rows. A pass whose size is unchanged is
/// skipped; if neither changes the image is returned as is (Pillow returns a copy).
///
/// All floating-point steps are done in `Double` in the same order as the C code, so the
/// fixed-point weights are identical to Pillow's, and everything after them is exact integer
/// arithmetic.
public enum PillowResize {
    /// `image` resized to `width × height` (both ≥ 1) with Pillow's BILINEAR filter.
    public static func bilinear(_ image: RGBImage, width: Int, height: Int) -> RGBImage {
        precondition(width > 0 && height > 0, "PillowResize: output size \(width)x\(height) must be positive")
        let needHorizontal = width != image.width
        let needVertical = height != image.height
        if !needHorizontal && !needVertical { return image }

        let vertical = AxisCoefficients(inSize: image.height, outSize: height)
        // The source rows the vertical pass reads. Pillow runs the horizontal pass over only
        // these (in practice all rows); the results are the same either way.
        let firstRow = vertical.starts[0]
        let lastRow = vertical.starts[height - 1] + vertical.counts[height - 1]

        var rows = image.pixels
        var rowsWidth = image.width
        var rowOffset = 0
        if needHorizontal {
            let horizontal = AxisCoefficients(inSize: image.width, outSize: width)
            rows = resampleHorizontal(
                image.pixels, inWidth: image.width, rows: firstRow..<lastRow, coefficients: horizontal)
            rowsWidth = width
            rowOffset = firstRow
        }
        if needVertical {
            rows = resampleVertical(rows, width: rowsWidth, rowOffset: rowOffset, coefficients: vertical)
        }
        return RGBImage(uncheckedWidth: width, height: height, pixels: rows)
    }

    /// Pillow's per-output-sample taps for resampling `inSize` samples to `outSize` with the
    /// BILINEAR filter: the first input index and the 22-bit fixed-point weights (which sum to
    /// about 2²² = 4194304). Exposed so the tests can check the weights themselves.
    public static func fixedPointTaps(inSize: Int, outSize: Int) -> [(start: Int, weights: [Int32])] {
        let c = AxisCoefficients(inSize: inSize, outSize: outSize)
        return (0..<outSize).map { i in
            (start: c.starts[i], weights: Array(c.weights[(i * c.stride)..<(i * c.stride + c.counts[i])]))
        }
    }

    // MARK: - Coefficients

    static let precisionBits: Int32 = 22

    /// Taps of one axis: output sample `i` reads `counts[i]` inputs from `starts[i]` with the
    /// weights `weights[i·stride ..< i·stride + counts[i]]`.
    struct AxisCoefficients {
        var starts: [Int]
        var counts: [Int]
        var weights: [Int32]
        var stride: Int

        init(inSize: Int, outSize: Int) {
            precondition(inSize > 0 && outSize > 0)
            // Pillow: scale = (double)(in1 - in0) / outSize with the float box (0, inSize);
            // inSize is exactly representable as a float for any realistic image.
            let scale = Double(Float(inSize)) / Double(outSize)
            let filterscale = max(scale, 1.0)
            let support = 1.0 * filterscale
            let ksize = Int(support.rounded(.up)) * 2 + 1
            let ss = 1.0 / filterscale
            stride = ksize
            starts = [Int](repeating: 0, count: outSize)
            counts = [Int](repeating: 0, count: outSize)
            weights = [Int32](repeating: 0, count: outSize * ksize)
            var w = [Double](repeating: 0, count: ksize)
            for i in 0..<outSize {
                let center = 0.0 + (Double(i) + 0.5) * scale
                var xmin = Int(center - support + 0.5)  // truncation toward zero, as C's (int)
                if xmin < 0 { xmin = 0 }
                var xmax = Int(center + support + 0.5)
                if xmax > inSize { xmax = inSize }
                let n = xmax - xmin
                var sum = 0.0
                for x in 0..<n {
                    let v = triangle((Double(x + xmin) - center + 0.5) * ss)
                    w[x] = v
                    sum += v
                }
                for x in 0..<n {
                    let v = sum != 0 ? w[x] / sum : w[x]
                    // Round half away from zero, as normalize_coeffs_8bpc.
                    let fixed = v < 0 ? Int32(-0.5 + v * 4194304.0) : Int32(0.5 + v * 4194304.0)
                    weights[i * ksize + x] = fixed
                }
                starts[i] = xmin
                counts[i] = n
            }
        }

        @inline(__always) private func triangle(_ t: Double) -> Double {
            let a = t < 0 ? -t : t
            return a < 1.0 ? 1.0 - a : 0.0
        }
    }

    @inline(__always) static func clip8(_ acc: Int32) -> UInt8 {
        let v = acc >> precisionBits  // arithmetic shift, like C on int
        return v <= 0 ? 0 : (v >= 255 ? 255 : UInt8(truncatingIfNeeded: v))
    }

    /// Rows `rows` of `pixels` (width `inWidth`) resampled horizontally; the result holds
    /// `rows.count` rows of the new width.
    static func resampleHorizontal(
        _ pixels: [UInt8], inWidth: Int, rows: Range<Int>, coefficients c: AxisCoefficients
    ) -> [UInt8] {
        let outWidth = c.starts.count
        let rowCount = rows.count
        let firstRow = rows.lowerBound
        let outRowLen = outWidth * 3, inRowLen = inWidth * 3
        let half: Int32 = 1 << (precisionBits - 1)
        return [UInt8](unsafeUninitializedCapacity: rowCount * outRowLen) { out, initialized in
            pixels.withUnsafeBufferPointer { src in
                c.weights.withUnsafeBufferPointer { kk in
                    c.starts.withUnsafeBufferPointer { starts in
                        c.counts.withUnsafeBufferPointer { counts in
                            let srcBase = src.baseAddress!, dstBase = out.baseAddress!, kBase = kk.baseAddress!
                            let stride = c.stride
                            let grain = max(1, 65536 / max(1, outRowLen * stride))
                            parallelFor(rowCount, grain: grain) { range in
                                for r in range {
                                    let inRow = srcBase + (firstRow + r) * inRowLen
                                    let outRow = dstBase + r * outRowLen
                                    for xx in 0..<outWidth {
                                        let k = kBase + xx * stride
                                        var p = inRow + starts[xx] * 3
                                        var s0 = half, s1 = half, s2 = half
                                        for t in 0..<counts[xx] {
                                            let w = k[t]
                                            s0 &+= Int32(p[0]) &* w
                                            s1 &+= Int32(p[1]) &* w
                                            s2 &+= Int32(p[2]) &* w
                                            p += 3
                                        }
                                        let o = outRow + xx * 3
                                        o[0] = clip8(s0)
                                        o[1] = clip8(s1)
                                        o[2] = clip8(s2)
                                    }
                                }
                            }
                        }
                    }
                }
            }
            initialized = rowCount * outRowLen
        }
    }

    /// `rows` (width `width`, whose row 0 is source row `rowOffset`) resampled vertically to
    /// `c.starts.count` rows.
    static func resampleVertical(
        _ rows: [UInt8], width: Int, rowOffset: Int, coefficients c: AxisCoefficients
    ) -> [UInt8] {
        let outHeight = c.starts.count
        let rowLen = width * 3
        let half: Int32 = 1 << (precisionBits - 1)
        return [UInt8](unsafeUninitializedCapacity: outHeight * rowLen) { out, initialized in
            rows.withUnsafeBufferPointer { src in
                c.weights.withUnsafeBufferPointer { kk in
                    let srcBase = src.baseAddress!, dstBase = out.baseAddress!, kBase = kk.baseAddress!
                    let stride = c.stride
                    let starts = c.starts, counts = c.counts
                    let grain = max(1, 65536 / max(1, rowLen * stride))
                    parallelFor(outHeight, grain: grain) { range in
                        let acc = UnsafeMutablePointer<Int32>.allocate(capacity: rowLen)
                        defer { acc.deallocate() }
                        for yy in range {
                            acc.initialize(repeating: half, count: rowLen)
                            let k = kBase + yy * stride
                            let first = starts[yy] - rowOffset
                            for t in 0..<counts[yy] {
                                let w = k[t]
                                let row = srcBase + (first + t) * rowLen
                                for i in 0..<rowLen { acc[i] &+= Int32(row[i]) &* w }
                            }
                            let outRow = dstBase + yy * rowLen
                            for i in 0..<rowLen { outRow[i] = clip8(acc[i]) }
                        }
                    }
                }
            }
            initialized = outHeight * rowLen
        }
    }
}
