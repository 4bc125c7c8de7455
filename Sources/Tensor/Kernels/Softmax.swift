/// Softmax over the last axis, computed stably: `e^(x - max) / Σ e^(x - max)`.
/// A row that is entirely `-inf` (fully masked) becomes all zeros rather than NaN.
extension Tensor {
    public mutating func applySoftmax() {
        let n = shape.last ?? 1
        guard n > 0 else { return }
        withUnsafeMutableBufferPointer { x in
            let base = UncheckedSendable(x.baseAddress!)
            parallelFor(x.count / n, grain: max(1, 8192 / n)) { rows in
                for r in rows { softmaxRow(base.value + r * n, n) }
            }
        }
    }

    /// Softmax of every last-axis row.
    public func softmax() -> Tensor { var y = self; y.applySoftmax(); return y }
}

/// Softmax of one contiguous row of `n` floats in place.
@inlinable
func softmaxRow(_ row: UnsafeMutablePointer<Float>, _ n: Int) {
    var mx = -Float.infinity
    for i in 0..<n { mx = max(mx, row[i]) }
    if mx == -.infinity {
        row.update(repeating: 0, count: n)
        return
    }
    let buffer = UnsafeMutableBufferPointer(start: row, count: n)
    VectorMath.map(buffer) { v in VectorMath.exp(v - mx) }
    var sum: Float = 0
    for i in 0..<n { sum += row[i] }
    let inv = 1 / sum
    for i in 0..<n { row[i] *= inv }
}
