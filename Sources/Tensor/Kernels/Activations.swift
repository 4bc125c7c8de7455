/// Pointwise activations, in place (`apply…`) or returning a new tensor.
extension Tensor {
    /// Applies `f` to all elements, 16 lanes at a time, split over the compute threads.
    @inlinable
    mutating func mapInPlace(_ f: @escaping @Sendable (FloatVector) -> FloatVector) {
        withUnsafeMutableBufferPointer { x in
            let base = UncheckedSendable(x.baseAddress!)
            let n = x.count
            // Chunks are multiples of 16 elements so only the last one has a ragged tail.
            parallelFor((n + 15) / 16, grain: 4096) { blocks in
                let lo = blocks.lowerBound * 16, hi = min(blocks.upperBound * 16, n)
                VectorMath.map(UnsafeMutableBufferPointer(start: base.value + lo, count: hi - lo), f)
            }
        }
    }

    /// Exact GELU, `x · ½(1 + erf(x/√2))` (PyTorch `gelu(approximate="none")`), in place.
    public mutating func applyGELU() {
        mapInPlace { x in 0.5 * x * (1 + VectorMath.erf(x * 0.70710678118654752)) }
    }

    /// `max(x, 0)` in place.
    public mutating func applyReLU() {
        mapInPlace { x in x.replacing(with: 0, where: x .< 0) }
    }

    /// The logistic function `1 / (1 + e^-x)` in place.
    public mutating func applySigmoid() {
        mapInPlace { x in 1 / (1 + VectorMath.exp(-x)) }
    }

    /// Exact GELU of every element.
    public func gelu() -> Tensor { var y = self; y.applyGELU(); return y }
    /// ReLU of every element.
    public func relu() -> Tensor { var y = self; y.applyReLU(); return y }
    /// Sigmoid of every element.
    public func sigmoid() -> Tensor { var y = self; y.applySigmoid(); return y }
}
