import Tensor

/// `panoptic_inference` accumulated band by band (spec §8.2).
///
/// Pass over the bands: per pixel the winning kept query `argmax_k score_k·sigmoid(m_k)`
/// (first on ties) and whether its own `sigmoid ≥ 0.5`, stored as a signed code in the id map;
/// per kept query the count of `sigmoid ≥ 0.5` pixels. `finish` then applies the overlap test and
/// stuff merging in query order and rewrites the codes into segment ids. Exact: only the area
/// counts span bands, and they are sums.
final class PanopticAccumulator {
    /// Kept queries in query order, with their class probability and class.
    let kept: [Int], keptScores: [Float], keptLabels: [Int]
    let isThing: [Bool]
    let overlapThreshold: Double
    /// Per pixel: `k + 1` if kept query k wins and its mask is ≥ 0.5 there, `-(k + 1)` if it wins
    /// but is below 0.5, 0 when nothing is kept.
    var codes: [Int32]
    var originalArea: [Int]

    /// - Parameter probs: `softmax(mask_cls)`, `[Q, C + 1]`.
    init(probs: Tensor, isThing: [Bool], objectMaskThreshold: Double, overlapThreshold: Double, pixels: Int) {
        let (q, c1) = (probs.shape[0], probs.shape[1]), c = c1 - 1
        precondition(isThing.count == c, "\(isThing.count) thing flags for \(c) classes")
        let p = probs.scalars
        // scores > threshold compares float32 with the threshold cast to float32 (torch).
        let threshold = Float(objectMaskThreshold)
        var kept: [Int] = [], scores: [Float] = [], labels: [Int] = []
        for i in 0..<q {
            var best = p[i * c1], arg = 0
            for k in 1..<c1 where p[i * c1 + k] > best {
                best = p[i * c1 + k]
                arg = k
            }
            if arg != c && best > threshold {
                kept.append(i)
                scores.append(best)
                labels.append(arg)
            }
        }
        self.kept = kept
        keptScores = scores
        keptLabels = labels
        self.isThing = isThing
        self.overlapThreshold = overlapThreshold
        codes = [Int32](repeating: 0, count: pixels)
        originalArea = [Int](repeating: 0, count: kept.count)
    }

    /// Consumes sigmoid masks `[Q, P]` (any trailing shape) of pixels `offset ..< offset + P`.
    func consume(_ sigmoidBand: Tensor, offset: Int) {
        let kCount = kept.count
        guard kCount > 0 else { return }
        let q = sigmoidBand.shape[0], n = sigmoidBand.count / q
        sigmoidBand.withUnsafeBufferPointer { s in
            let src = s.baseAddress!
            kept.withUnsafeBufferPointer { keptQ in
                keptScores.withUnsafeBufferPointer { sc in
                    // Per chunk of pixels and kept query, the count of `m ≥ 0.5` (summed into the
                    // areas afterwards: integer sums, exact in any order).
                    let chunk = 512, chunkCount = (n + chunk - 1) / chunk
                    let counts = UnsafeMutablePointer<Int32>.allocate(capacity: chunkCount * kCount)
                    defer { counts.deallocate() }
                    codes.withUnsafeMutableBufferPointer { cb in
                        let out = cb.baseAddress! + offset
                        parallelFor(chunkCount) { chunks in
                            // Per pixel argmax_k score_k·m_k (first on ties), 16 pixels at a time.
                            let best = UnsafeMutablePointer<Float>.allocate(capacity: chunk)
                            let arg = UnsafeMutablePointer<Int32>.allocate(capacity: chunk)
                            defer { best.deallocate(); arg.deallocate() }
                            let bRaw = UnsafeMutableRawPointer(best), aRaw = UnsafeMutableRawPointer(arg)
                            for ci in chunks {
                                let lo = ci * chunk, len = min(chunk, n - lo), vecLen = len / 16 * 16
                                let row0 = src + keptQ[0] * n + lo
                                var on0: Int32 = 0
                                for j in 0..<len {
                                    best[j] = sc[0] * row0[j]
                                    arg[j] = 0
                                    if row0[j] >= 0.5 { on0 += 1 }
                                }
                                counts[ci * kCount] = on0
                                for k in 1..<max(kCount, 1) {
                                    let row = src + keptQ[k] * n + lo, score = sc[k]
                                    let rRaw = UnsafeRawPointer(row), sv = FloatVector(repeating: score), kv = SIMD16<Int32>(repeating: Int32(k))
                                    var on = SIMD16<Int32>(repeating: 0)
                                    var j = 0
                                    while j < vecLen {
                                        let m = rRaw.loadUnaligned(fromByteOffset: j * 4, as: FloatVector.self)
                                        on &-= unsafeBitCast(m .>= 0.5, to: SIMD16<Int32>.self)
                                        let v = sv * m
                                        var b = bRaw.loadUnaligned(fromByteOffset: j * 4, as: FloatVector.self)
                                        var a = aRaw.loadUnaligned(fromByteOffset: j * 4, as: SIMD16<Int32>.self)
                                        let gt = v .> b
                                        b.replace(with: v, where: gt)
                                        a.replace(with: kv, where: gt)
                                        bRaw.storeBytes(of: b, toByteOffset: j * 4, as: FloatVector.self)
                                        aRaw.storeBytes(of: a, toByteOffset: j * 4, as: SIMD16<Int32>.self)
                                        j += 16
                                    }
                                    var onCount = on.wrappedSum()
                                    while j < len {
                                        if row[j] >= 0.5 { onCount += 1 }
                                        let v = score * row[j]
                                        if v > best[j] {
                                            best[j] = v
                                            arg[j] = Int32(k)
                                        }
                                        j += 1
                                    }
                                    counts[ci * kCount + k] = onCount
                                }
                                for j in 0..<len {
                                    let k = Int(arg[j])
                                    let on = src[keptQ[k] * n + lo + j] >= 0.5
                                    out[lo + j] = Int32(on ? k + 1 : -(k + 1))
                                }
                            }
                        }
                    }
                    for ci in 0..<chunkCount {
                        for k in 0..<kCount { originalArea[k] += Int(counts[ci * kCount + k]) }
                    }
                }
            }
        }
    }

    /// Applies the overlap test and stuff merging, and turns the codes into segment ids.
    func finish() -> PanopticSegmentation {
        let kCount = kept.count
        guard kCount > 0 else { return PanopticSegmentation(ids: codes, segments: []) }
        var maskArea = [Int](repeating: 0, count: kCount)
        var segArea = [Int](repeating: 0, count: kCount)
        for code in codes {
            let k = Int(code.magnitude) - 1
            maskArea[k] += 1
            if code > 0 { segArea[k] += 1 }
        }
        var idOf = [Int32](repeating: 0, count: kCount)
        var segments: [Segment] = []
        var stuffId: [Int: Int32] = [:]
        var current: Int32 = 0
        for k in 0..<kCount {
            let label = keptLabels[k]
            guard maskArea[k] > 0, originalArea[k] > 0, segArea[k] > 0 else { continue }
            // Python: int / int (float64) < overlap_threshold.
            if Double(maskArea[k]) / Double(originalArea[k]) < overlapThreshold { continue }
            if !isThing[label], let existing = stuffId[label] {
                idOf[k] = existing
                continue
            }
            current += 1
            idOf[k] = current
            if !isThing[label] { stuffId[label] = current }
            segments.append(Segment(id: current, category: label, isThing: isThing[label], score: keptScores[k],
                                    query: kept[k], area: 0))
        }
        var areas = [Int](repeating: 0, count: Int(current) + 1)
        for i in codes.indices {
            let code = codes[i]
            let id = code > 0 ? idOf[Int(code) - 1] : 0
            codes[i] = id
            areas[Int(id)] += 1
        }
        for i in segments.indices { segments[i].area = areas[Int(segments[i].id)] }
        return PanopticSegmentation(ids: codes, segments: segments)
    }
}
