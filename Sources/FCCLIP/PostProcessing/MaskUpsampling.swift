import Tensor

/// The three image sizes post-processing maps between (spec §2, §7.3).
public struct SegmentationGeometry: Sendable, Equatable {
    /// The padded network input (multiple of 32); mask logits are at a quarter of it.
    public var paddedHeight: Int, paddedWidth: Int
    /// The resized, un-padded image inside the padded input (`images.image_sizes`).
    public var resizedHeight: Int, resizedWidth: Int
    /// The requested output size: the original image size.
    public var outputHeight: Int, outputWidth: Int

    public init(paddedHeight: Int, paddedWidth: Int, resizedHeight: Int, resizedWidth: Int, outputHeight: Int, outputWidth: Int) {
        precondition(resizedHeight > 0 && resizedWidth > 0 && resizedHeight <= paddedHeight && resizedWidth <= paddedWidth,
                     "resized size \(resizedHeight)x\(resizedWidth) must lie inside the padded \(paddedHeight)x\(paddedWidth)")
        precondition(outputHeight > 0 && outputWidth > 0, "empty output size \(outputHeight)x\(outputWidth)")
        self.paddedHeight = paddedHeight
        self.paddedWidth = paddedWidth
        self.resizedHeight = resizedHeight
        self.resizedWidth = resizedWidth
        self.outputHeight = outputHeight
        self.outputWidth = outputWidth
    }
}

/// Mask upsampling before post-processing (spec §7.3), produced band by band.
///
/// Official: `Mfull = interpolate(Mlog, (Hp, Wp))`, then `sem_seg_postprocess` crops
/// `[:h, :w]` and resizes to `(H0, W0)`; both bilinear, align_corners=False. Every output row
/// reads two cropped rows, each of which reads two low-resolution rows, so a band of output rows
/// needs only the padded rows under it: `outputRows` computes just those (and only the `w`
/// columns the crop keeps), never the `[Q, Hp, Wp]` or `[Q, H0, W0]` stacks. The result is
/// bit-identical to resizing whole maps.
public struct MaskUpsampler: @unchecked Sendable {
    /// `[Q, H/4, W/4]` mask logits.
    public let lowRes: Tensor
    public let geometry: SegmentationGeometry
    public var queries: Int { lowRes.shape[0] }
    let ysPad: [BandResize.Tap], xsPad: [BandResize.Tap]
    let ysOut: [BandResize.Tap], xsOut: [BandResize.Tap]

    /// - Parameter maskLogits: decoder `pred_masks`, `[Q, H/4, W/4]` or `[1, Q, H/4, W/4]`.
    public init(maskLogits: Tensor, geometry: SegmentationGeometry) {
        lowRes = BandResize.planes(maskLogits)
        self.geometry = geometry
        let (h4, w4) = (lowRes.shape[1], lowRes.shape[2])
        ysPad = BandResize.taps(input: h4, output: geometry.paddedHeight)
        xsPad = BandResize.taps(input: w4, output: geometry.paddedWidth)
        ysOut = BandResize.taps(input: geometry.resizedHeight, output: geometry.outputHeight)
        xsOut = BandResize.taps(input: geometry.resizedWidth, output: geometry.outputWidth)
    }

    /// Padded-resolution logits `[Q, rows.count, columns]` of padded rows `rows`, columns `0..<columns`
    /// (`post.mask_pred_padded` restricted to a window).
    public func paddedRows(_ rows: Range<Int>, columns: Int) -> Tensor {
        precondition(rows.lowerBound >= 0 && rows.upperBound <= geometry.paddedHeight && columns <= geometry.paddedWidth)
        let (q, h4, w4) = (lowRes.shape[0], lowRes.shape[1], lowRes.shape[2])
        let xs = Array(xsPad.prefix(columns)), ys = ysPad
        return lowRes.withUnsafeBufferPointer { s in
            Tensor(shape: [q, rows.count, columns], unsafeUninitialized: { d in
                BandResize.resample(planes: q, src: s.baseAddress!, srcPlaneStride: h4 * w4, srcRowStride: w4, srcFirstRow: 0,
                                    ys: ys, xs: xs, rows: rows, dst: d.baseAddress!, dstPlaneStride: rows.count * columns)
            })
        }
    }

    /// The padded rows (inside the crop) that output rows `rows` read.
    public func croppedRows(for rows: Range<Int>) -> Range<Int> { BandResize.sourceRows(for: rows, ysOut) }

    /// Resizes a band of cropped maps `[N, src.count, w]` (cropped rows `src`) to output rows `rows`,
    /// `[N, rows.count, W0]`. Used for masks and, in the semantic-only order, for class scores.
    func resizeCropped(_ band: Tensor, sourceRows src: Range<Int>, to rows: Range<Int>) -> Tensor {
        let (n, w, w0) = (band.shape[0], band.shape[2], geometry.outputWidth)
        precondition(band.shape[1] == src.count && w == geometry.resizedWidth)
        let ys = ysOut, xs = xsOut
        return band.withUnsafeBufferPointer { s in
            Tensor(shape: [n, rows.count, w0], unsafeUninitialized: { d in
                BandResize.resample(planes: n, src: s.baseAddress!, srcPlaneStride: src.count * w, srcRowStride: w,
                                    srcFirstRow: src.lowerBound, ys: ys, xs: xs, rows: rows,
                                    dst: d.baseAddress!, dstPlaneStride: rows.count * w0)
            })
        }
    }

    /// Final-resolution logits `[Q, rows.count, W0]` of output rows `rows` (`post.mask_pred` band).
    ///
    /// Fused per plane (and chunk of rows): the low-resolution rows are resampled horizontally
    /// once, each padded row is formed vertically and at once resampled horizontally to the
    /// output width, then the output rows are formed vertically. These are the float operations
    /// of `resizeCropped(paddedRows(...))`, in the same order, without the padded band in memory.
    public func outputRows(_ rows: Range<Int>) -> Tensor {
        precondition(!rows.isEmpty && rows.lowerBound >= 0 && rows.upperBound <= geometry.outputHeight)
        let (q, h4, w4) = (lowRes.shape[0], lowRes.shape[1], lowRes.shape[2])
        let w = geometry.resizedWidth, w0 = geometry.outputWidth, bandRows = rows.count
        let chunksPerPlane = min(bandRows, q >= 4 * ComputeThreads.count ? 1 : max(1, (8 * ComputeThreads.count) / max(q, 1)))
        let bounds = (0...chunksPerPlane).map { rows.lowerBound + bandRows * $0 / chunksPerPlane }
        var padRanges: [Range<Int>] = [], lowRanges: [Range<Int>] = []
        var maxPad = 0, maxLow = 0
        for c in 0..<chunksPerPlane {
            if bounds[c] < bounds[c + 1] {
                let pr = BandResize.sourceRows(for: bounds[c]..<bounds[c + 1], ysOut)
                let lr = BandResize.sourceRows(for: pr, ysPad)
                padRanges.append(pr)
                lowRanges.append(lr)
                maxPad = max(maxPad, pr.count)
                maxLow = max(maxLow, lr.count)
            } else {
                padRanges.append(0..<0)
                lowRanges.append(0..<0)
            }
        }
        let xsP = Array(xsPad.prefix(w))
        return lowRes.withUnsafeBufferPointer { sb in
            Tensor(shape: [q, bandRows, w0], unsafeUninitialized: { db in
                let src = sb.baseAddress!, dst = db.baseAddress!
                ysPad.withUnsafeBufferPointer { ysp in
                    ysOut.withUnsafeBufferPointer { yso in
                        xsP.withUnsafeBufferPointer { xsp in
                            xsOut.withUnsafeBufferPointer { xso in
                                parallelFor(q * chunksPerPlane) { items in
                                    let low = UnsafeMutablePointer<Float>.allocate(capacity: max(1, maxLow * w))
                                    let padRow = UnsafeMutablePointer<Float>.allocate(capacity: max(1, w))
                                    let mid = UnsafeMutablePointer<Float>.allocate(capacity: max(1, maxPad * w0))
                                    defer { low.deallocate(); padRow.deallocate(); mid.deallocate() }
                                    for item in items {
                                        let p = item / chunksPerPlane, c = item % chunksPerPlane
                                        let (lo, hi) = (bounds[c], bounds[c + 1])
                                        guard lo < hi else { continue }
                                        let pr = padRanges[c], lr = lowRanges[c]
                                        let plane = src + p * h4 * w4
                                        for r in lr {
                                            BandResize.horizontal(plane + r * w4, xsp, into: low + (r - lr.lowerBound) * w)
                                        }
                                        for r in pr {
                                            let ty = ysp[r]
                                            BandResize.vertical(low + (ty.i0 - lr.lowerBound) * w, low + (ty.i1 - lr.lowerBound) * w,
                                                                ty, count: w, into: padRow)
                                            BandResize.horizontal(padRow, xso, into: mid + (r - pr.lowerBound) * w0)
                                        }
                                        for y in lo..<hi {
                                            let ty = yso[y]
                                            BandResize.vertical(mid + (ty.i0 - pr.lowerBound) * w0, mid + (ty.i1 - pr.lowerBound) * w0,
                                                                ty, count: w0, into: dst + p * bandRows * w0 + (y - rows.lowerBound) * w0)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            })
        }
    }

    /// Output rows per band so that one band of `planes` float maps stays near `budgetBytes`.
    public func bandHeight(planes: Int, budgetBytes: Int) -> Int {
        let perRow = max(planes, 1) * geometry.outputWidth * MemoryLayout<Float>.size
        return max(1, min(geometry.outputHeight, budgetBytes / max(perRow, 1)))
    }
}
