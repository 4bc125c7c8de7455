/// A reproducible random source (SplitMix64) for benchmarks and for building models with
/// seeded random weights: the same seed gives the same tensors on every machine.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A tensor of `shape` with values uniform in `[-scale, scale)`.
    public mutating func uniform(_ shape: [Int], scale: Float = 1) -> Tensor {
        Tensor(shape: shape) { buffer in
            for i in buffer.indices {
                // 24 random bits → [0, 1) exactly representable in Float.
                let unit = Float(next() >> 40) * 0x1p-24
                buffer[i] = (2 * unit - 1) * scale
            }
        }
    }
}
