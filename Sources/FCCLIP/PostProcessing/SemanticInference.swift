import Tensor

/// `semantic_inference` accumulated band by band (spec §8.1):
/// `semseg[c, p] = Σ_q softmax(mask_cls)[q, c] · sigmoid(mask[q, p])` (void dropped, no
/// renormalisation), label = argmax over c.
final class SemanticAccumulator {
    let classes: Int
    /// `[C, Q]` class probabilities without void, transposed for the GEMM.
    let probsT: Tensor
    var labels: [Int32]
    var maxScores: [Float]
    var scores: Tensor?
    let pixels: Int

    /// - Parameter probs: `softmax(mask_cls)`, `[Q, C + 1]`.
    init(probs: Tensor, pixels: Int, keepScores: Bool) {
        let (q, c1) = (probs.shape[0], probs.shape[1])
        classes = c1 - 1
        let c = classes
        probsT = probs.withUnsafeBufferPointer { p in
            Tensor(shape: [c, q], unsafeUninitialized: { d in
                for i in 0..<q {
                    for k in 0..<c { d[k * q + i] = p[i * c1 + k] }
                }
            })
        }
        self.pixels = pixels
        labels = [Int32](repeating: 0, count: pixels)
        maxScores = [Float](repeating: 0, count: pixels)
        scores = keepScores ? Tensor(shape: [c, pixels]) : nil
    }

    /// Class scores `[C, P]` of a band of sigmoid masks `[Q, P]` (any trailing shape).
    func classScores(_ sigmoidBand: Tensor) -> Tensor {
        let q = sigmoidBand.shape[0]
        return Tensor.matmul(probsT, sigmoidBand.reshaped([q, sigmoidBand.count / q]))
    }

    /// Stores the class scores `[C, P]` of pixels `offset ..< offset + P`.
    func store(_ band: Tensor, offset: Int) {
        let c = classes, n = band.count / c
        band.withUnsafeBufferPointer { s in
            let src = s.baseAddress!
            labels.withUnsafeMutableBufferPointer { lb in
                maxScores.withUnsafeMutableBufferPointer { mb in
                    let (l, m) = (lb.baseAddress! + offset, mb.baseAddress! + offset)
                    // Argmax over classes (first on ties), 16 pixels at a time; the remainder scalar.
                    let blocks = n / 16
                    parallelFor(blocks, grain: 256) { range in
                        let raw = UnsafeRawPointer(src)
                        for b in range {
                            let p = b * 16
                            var best = raw.loadUnaligned(fromByteOffset: p * 4, as: FloatVector.self)
                            var arg = SIMD16<Int32>(repeating: 0)
                            var k = 1
                            while k < c {
                                let v = raw.loadUnaligned(fromByteOffset: (k * n + p) * 4, as: FloatVector.self)
                                let gt = v .> best
                                best.replace(with: v, where: gt)
                                arg.replace(with: Int32(k), where: gt)
                                k += 1
                            }
                            UnsafeMutableRawPointer(l + p).storeBytes(of: arg, as: SIMD16<Int32>.self)
                            UnsafeMutableRawPointer(m + p).storeBytes(of: best, as: FloatVector.self)
                        }
                    }
                    for p in (blocks * 16)..<n {
                        var best = src[p], arg = 0
                        for k in 1..<max(c, 1) where src[k * n + p] > best {
                            best = src[k * n + p]
                            arg = k
                        }
                        l[p] = Int32(arg)
                        m[p] = best
                    }
                }
            }
            if scores != nil {
                let total = pixels
                scores!.withUnsafeMutableBufferPointer { d in
                    for k in 0..<c {
                        (d.baseAddress! + k * total + offset).update(from: src + k * n, count: n)
                    }
                }
            }
        }
    }

    func result(height: Int, width: Int) -> SemanticSegmentation {
        SemanticSegmentation(labels: labels, maxScores: maxScores, scores: scores?.reshaped([classes, height, width]))
    }
}
