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
        updateChannels(with: bias, "addChannels") { $0 + $1 }
    }

    /// Multiplies every element whose last-axis index is `c` by `scale[c]` (ConvNeXt's layer scale).
    public mutating func multiplyChannels(_ scale: Tensor) {
        updateChannels(with: scale, "multiplyChannels") { $0 * $1 }
    }

    /// `x[..., c] = op(x[..., c], v[c])` over every last-axis row, rows split across threads.
    @inline(__always)
    private mutating func updateChannels(with v: Tensor, _ name: String, _ op: (Float, Float) -> Float) {
        let c = shape.last ?? 1
        precondition(v.count == c, "\(name): \(v.count) values for \(c) channels")
        v.withUnsafeBufferPointer { vb in
            withUnsafeMutableBufferPointer { x in
                let (px, pv) = (UncheckedSendable(x.baseAddress!), UncheckedSendable(vb.baseAddress!))
                parallelFor(x.count / max(c, 1), grain: max(1, 4096 / max(c, 1))) { rows in
                    for r in rows {
                        let row = px.value + r * c
                        for j in 0..<c { row[j] = op(row[j], pv.value[j]) }
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
