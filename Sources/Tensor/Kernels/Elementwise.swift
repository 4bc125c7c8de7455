/// Elementwise arithmetic used between layers (residual adds, layer scale, biases).
extension Tensor {
    /// `self += other` elementwise (same shape).
    public mutating func add(_ other: Tensor) {
        precondition(shape == other.shape, "add: shapes differ \(shape) vs \(other.shape)")
        other.withUnsafeBufferPointer { b in
            withUnsafeMutableBufferPointer { a in
                let (pa, pb) = (UncheckedSendable(a.baseAddress!), UncheckedSendable(b.baseAddress!))
                parallelFor(a.count, grain: 1 << 16) { r in
                    for i in r { pa.value[i] += pb.value[i] }
                }
            }
        }
    }

    /// Elementwise sum of two tensors of the same shape.
    public static func + (lhs: Tensor, rhs: Tensor) -> Tensor {
        var out = lhs
        out.add(rhs)
        return out
    }

    /// Adds `bias[c]` to every element whose last-axis index is `c` (a per-channel bias in NHWC).
    public mutating func addChannels(_ bias: Tensor) {
        let c = shape.last ?? 1
        precondition(bias.count == c, "addChannels: bias of \(bias.count) for \(c) channels")
        bias.withUnsafeBufferPointer { b in
            withUnsafeMutableBufferPointer { x in
                let (px, pb) = (UncheckedSendable(x.baseAddress!), UncheckedSendable(b.baseAddress!))
                parallelFor(x.count / max(c, 1), grain: max(1, 4096 / max(c, 1))) { rows in
                    for r in rows {
                        let row = px.value + r * c
                        for j in 0..<c { row[j] += pb.value[j] }
                    }
                }
            }
        }
    }

    /// Multiplies every element whose last-axis index is `c` by `scale[c]` (ConvNeXt's layer scale).
    public mutating func multiplyChannels(_ scale: Tensor) {
        let c = shape.last ?? 1
        precondition(scale.count == c, "multiplyChannels: scale of \(scale.count) for \(c) channels")
        scale.withUnsafeBufferPointer { s in
            withUnsafeMutableBufferPointer { x in
                let (px, ps) = (UncheckedSendable(x.baseAddress!), UncheckedSendable(s.baseAddress!))
                parallelFor(x.count / max(c, 1), grain: max(1, 4096 / max(c, 1))) { rows in
                    for r in rows {
                        let row = px.value + r * c
                        for j in 0..<c { row[j] *= ps.value[j] }
                    }
                }
            }
        }
    }

    /// Multiplies every element by `factor`.
    public mutating func scale(by factor: Float) {
        withUnsafeMutableBufferPointer { x in
            let px = UncheckedSendable(x.baseAddress!)
            parallelFor(x.count, grain: 1 << 16) { r in
                for i in r { px.value[i] *= factor }
            }
        }
    }
}
