// Shared helpers for the Tensor kernel tests: a seeded RNG, random tensors, error metrics and
// explicit NCHW <-> NHWC index conversions. Nothing here calls a kernel under test, so the
// naive references in the test files stay independent of the implementation.
import Foundation
import Tensor

/// SplitMix64 (Steele, Lea & Flood 2014): tiny, fast and fully deterministic across platforms,
/// so every "random" test case is reproducible from its seed.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1) with 53 random bits.
    mutating func nextUnit() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// Uniform float in `range`.
    mutating func nextFloat(in range: ClosedRange<Float> = -1...1) -> Float {
        Float(Double(range.lowerBound) + nextUnit() * Double(range.upperBound - range.lowerBound))
    }

    /// Uniform integer in `range`.
    mutating func nextInt(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.count))
    }
}

/// `count` floats uniform in `range` from a seeded generator.
func randomFloats(_ count: Int, seed: UInt64, in range: ClosedRange<Float> = -1...1) -> [Float] {
    var rng = SplitMix64(seed: seed)
    return (0..<count).map { _ in rng.nextFloat(in: range) }
}

extension Tensor {
    /// A tensor of `shape` with elements uniform in `range` (default [-1, 1]), deterministic in `seed`.
    static func random(shape: [Int], seed: UInt64, in range: ClosedRange<Float> = -1...1) -> Tensor {
        Tensor(shape: shape, values: randomFloats(Tensor.elementCount(shape), seed: seed, in: range))
    }

    /// The elements widened to Double (for references).
    var doubles: [Double] { scalars.map(Double.init) }
}

/// ‖got − want‖₂ / max(‖want‖₂, tiny). The error metric of every "GEMM-like" comparison:
/// it is insensitive to a few tiny elements having large relative error, and for float32 results
/// of K-term sums it is typically ~√K·6e-8 (rounding errors add like a random walk).
func relativeL2(_ got: [Float], _ want: [Double]) -> Double {
    precondition(got.count == want.count, "relativeL2: \(got.count) vs \(want.count) elements")
    var num = 0.0, den = 0.0
    for (g, w) in zip(got, want) {
        let d = Double(g) - w
        num += d * d
        den += w * w
    }
    if num.isNaN { return .nan }
    return num.squareRoot() / max(den.squareRoot(), 1e-300)
}

/// max |got − want| (NaN if any element of `got` is NaN where `want` is not).
func maxAbsError(_ got: [Float], _ want: [Double]) -> Double {
    precondition(got.count == want.count, "maxAbsError: \(got.count) vs \(want.count) elements")
    var worst = 0.0
    for (g, w) in zip(got, want) {
        let d = abs(Double(g) - w)
        if d.isNaN { return .nan }
        worst = max(worst, d)
    }
    return worst
}

/// Reorders NCHW data (PyTorch's layout) to NHWC by explicit index math.
func nchwToNHWC(_ x: [Float], n: Int, c: Int, h: Int, w: Int) -> [Float] {
    precondition(x.count == n * c * h * w)
    var y = [Float](repeating: 0, count: x.count)
    for b in 0..<n {
        for ch in 0..<c {
            for i in 0..<h {
                for j in 0..<w {
                    y[((b * h + i) * w + j) * c + ch] = x[((b * c + ch) * h + i) * w + j]
                }
            }
        }
    }
    return y
}

/// Reorders NHWC data to NCHW by explicit index math.
func nhwcToNCHW(_ x: [Float], n: Int, h: Int, w: Int, c: Int) -> [Float] {
    precondition(x.count == n * c * h * w)
    var y = [Float](repeating: 0, count: x.count)
    for b in 0..<n {
        for ch in 0..<c {
            for i in 0..<h {
                for j in 0..<w {
                    y[((b * c + ch) * h + i) * w + j] = x[((b * h + i) * w + j) * c + ch]
                }
            }
        }
    }
    return y
}

/// A read-only float buffer owned by a class instance, for `TensorStorage(borrowing:)`
/// (standing in for a memory-mapped weight file).
final class BorrowedFloats: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Float>
    let count: Int

    init(_ values: [Float]) {
        count = values.count
        pointer = .allocate(capacity: max(values.count, 1))
        pointer.initialize(from: values, count: values.count)
    }

    var values: [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }

    deinit { pointer.deallocate() }
}
