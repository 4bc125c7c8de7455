import Tensor

/// `instance_inference` accumulated band by band (spec §8.3).
///
/// Top-k of `softmax(mask_cls)[:, :C]` flattened `q·C + c` (k = detections per image), thing
/// classes only when panoptic output is on; mask = `logit > 0` at the output size; score =
/// class probability × `Σ sigmoid·mask / (Σ mask + 1e-6)`. Only the selected queries' masks are
/// kept, bit-packed.
final class InstanceAccumulator {
    /// Selected (query, class, class probability) in top-k order (descending class probability).
    let selections: [(query: Int, category: Int, classScore: Float)]
    /// Distinct selected queries, ascending.
    let queries: [Int]
    let height: Int, width: Int
    let wordsPerMask: Int
    var bits: [UInt64]
    var sigmoidSums: [Double]
    var maskCounts: [Int]

    init(probs: Tensor, isThing: [Bool], thingsOnly: Bool, detections: Int, height: Int, width: Int) {
        let (q, c1) = (probs.shape[0], probs.shape[1]), c = c1 - 1
        let p = probs.scalars
        var flat = [Float](repeating: 0, count: q * c)
        for i in 0..<q {
            for k in 0..<c { flat[i * c + k] = p[i * c1 + k] }
        }
        // torch.topk(sorted=False) has no defined order; this takes the same set (ties at the
        // boundary resolved by lower index) in descending order.
        let top = Tensor(shape: [q * c], values: flat).topK(min(detections, q * c))
        var sel: [(query: Int, category: Int, classScore: Float)] = []
        for (v, idx) in zip(top.values, top.indices) {
            let label = idx % c, query = idx / c
            if thingsOnly && !isThing[label] { continue }
            sel.append((query, label, v))
        }
        selections = sel
        queries = Array(Set(sel.map(\.query))).sorted()
        self.height = height
        self.width = width
        wordsPerMask = (height * width + 63) / 64
        bits = [UInt64](repeating: 0, count: queries.count * wordsPerMask)
        sigmoidSums = [Double](repeating: 0, count: queries.count)
        maskCounts = [Int](repeating: 0, count: queries.count)
    }

    /// Records `logit > 0` of mask logits `[Q, P]` for pixels `offset ..< offset + P`.
    func recordMasks(_ logitBand: Tensor, offset: Int) {
        guard !queries.isEmpty else { return }
        let q = logitBand.shape[0], n = logitBand.count / q, words = wordsPerMask
        logitBand.withUnsafeBufferPointer { s in
            let src = s.baseAddress!
            queries.withUnsafeBufferPointer { qs in
                bits.withUnsafeMutableBufferPointer { b in
                    maskCounts.withUnsafeMutableBufferPointer { counts in
                        parallelFor(qs.count) { range in
                            for u in range {
                                let row = src + qs[u] * n, mask = b.baseAddress! + u * words
                                var count = 0
                                for p in 0..<n where row[p] > 0 {
                                    let i = offset + p
                                    mask[i >> 6] |= 1 << UInt64(i & 63)
                                    count += 1
                                }
                                counts[u] += count
                            }
                        }
                    }
                }
            }
        }
    }

    /// Adds `Σ sigmoid · mask` of sigmoid masks `[Q, P]` (same band as the last `recordMasks`).
    func accumulateScores(_ sigmoidBand: Tensor, offset: Int) {
        guard !queries.isEmpty else { return }
        let q = sigmoidBand.shape[0], n = sigmoidBand.count / q, words = wordsPerMask
        sigmoidBand.withUnsafeBufferPointer { s in
            let src = s.baseAddress!
            queries.withUnsafeBufferPointer { qs in
                bits.withUnsafeBufferPointer { b in
                    sigmoidSums.withUnsafeMutableBufferPointer { sums in
                        parallelFor(qs.count) { range in
                            for u in range {
                                let row = src + qs[u] * n, mask = b.baseAddress! + u * words
                                var sum = 0.0
                                for p in 0..<n {
                                    let i = offset + p
                                    if mask[i >> 6] >> UInt64(i & 63) & 1 == 1 { sum += Double(row[p]) }
                                }
                                sums[u] += sum
                            }
                        }
                    }
                }
            }
        }
    }

    /// The detections, highest final score first (ties keep top-k order).
    func finish() -> [Instance] {
        var masks: [Int: (mask: BinaryMask, score: Float)] = [:]
        for (u, query) in queries.enumerated() {
            var m = BinaryMask(height: height, width: width)
            m.setWords(Array(bits[(u * wordsPerMask)..<((u + 1) * wordsPerMask)]))
            // Official float32: (sigmoid·mask).sum / (mask.sum + 1e-6).
            masks[query] = (m, Float(sigmoidSums[u]) / (Float(maskCounts[u]) + 1e-6))
        }
        let instances = selections.map { s in
            Instance(category: s.category, score: s.classScore * masks[s.query]!.score, classScore: s.classScore,
                     query: s.query, mask: masks[s.query]!.mask)
        }
        return instances.enumerated().sorted { a, b in
            a.element.score != b.element.score ? a.element.score > b.element.score : a.offset < b.offset
        }.map(\.element)
    }
}
