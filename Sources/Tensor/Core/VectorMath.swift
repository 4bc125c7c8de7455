/// Vectorised transcendental functions on 16 float lanes, used by the activation and
/// softmax kernels (libm's scalar expf/erff would dominate GELU at ConvNeXt-L sizes).
/// 16 float lanes: one AVX-512 register, two AVX2 registers.
public typealias FloatVector = SIMD16<Float>

public enum VectorMath {
    /// e^x, accurate to ~2 ulp: range reduction x = n·ln2 + r with |r| ≤ ln2/2 (ln2 split
    /// in two parts for exactness), a degree-6 minimax polynomial for e^r (Cephes expf
    /// coefficients), then scaling by 2^n through the exponent bits. Returns 0 below
    /// -87.33 (including -inf) and +inf above 88.72.
    @inlinable
    public static func exp(_ x: FloatVector) -> FloatVector {
        let hi: Float = 88.72283, lo: Float = -87.33654
        // Clamp with masked selects: SIMD `clamped`/`pointwiseMin` run per lane on baseline x86-64.
        var xc = x
        xc.replace(with: hi, where: xc .> hi)
        xc.replace(with: lo, where: xc .< lo)
        // n = round(x / ln2) with the 1.5·2^23 trick: adding it rounds to nearest-even in
        // the FPU's default mode and leaves n in the low mantissa bits. (SIMD `rounded` and
        // float→int conversions become per-lane library calls on baseline x86-64.)
        let magic: Float = 12582912
        let shifted = xc * 1.44269504088896341 + magic
        let n = shifted - magic
        let ni = unsafeBitCast(shifted, to: SIMD16<Int32>.self) &- 0x4B40_0000
        var r = xc - n * 0.693359375
        r = r - n * -2.12194440e-4
        var p = FloatVector(repeating: 1.9875691500e-4)
        p = p * r + 1.3981999507e-3
        p = p * r + 8.3334519073e-3
        p = p * r + 4.1665795894e-2
        p = p * r + 1.6666665459e-1
        p = p * r + 5.0000001201e-1
        let er = p * r * r + r + 1
        // 2^n for n in [-126, 128], built from exponent bits in two halves so that neither
        // factor leaves the normal range.
        let half = ni &>> 1
        let p1 = unsafeBitCast((half &+ 127) &<< 23, to: FloatVector.self)
        let p2 = unsafeBitCast((ni &- half &+ 127) &<< 23, to: FloatVector.self)
        var result = er * p1 * p2
        result.replace(with: 0, where: x .< lo)
        result.replace(with: Float.infinity, where: x .> hi)
        result.replace(with: x, where: x .!= x) // NaN stays NaN
        return result
    }

    /// erf(x) by Abramowitz & Stegun 7.1.26 (absolute error ≤ 1.5e-7 in exact arithmetic;
    /// about 5e-7 in float32 near |x| ≈ 0.04, where `1 - poly·e^(-x²)` cancels): the same
    /// approximation PyTorch's vectorised CPU kernels use for exact-erf GELU.
    @inlinable
    public static func erf(_ x: FloatVector) -> FloatVector {
        let ax = x.replacing(with: -x, where: x .< 0)
        let t = 1 / (1 + 0.3275911 * ax)
        var poly = FloatVector(repeating: 1.061405429)
        poly = poly * t - 1.453152027
        poly = poly * t + 1.421413741
        poly = poly * t - 0.284496736
        poly = poly * t + 0.254829592
        poly = poly * t
        let y = 1 - poly * exp(-ax * ax)
        var result = y
        result.replace(with: -y, where: x .< 0)
        return result
    }

    /// Applies `f` to every element of `buffer` in place, 16 lanes at a time; the tail is
    /// padded with zeros and only its valid lanes are stored.
    @inlinable
    public static func map(_ buffer: UnsafeMutableBufferPointer<Float>, _ f: (FloatVector) -> FloatVector) {
        guard let base = buffer.baseAddress else { return }
        let n = buffer.count
        var i = 0
        let raw = UnsafeMutableRawPointer(base)
        while i + 16 <= n {
            let v = raw.loadUnaligned(fromByteOffset: i * 4, as: FloatVector.self)
            raw.storeBytes(of: f(v), toByteOffset: i * 4, as: FloatVector.self)
            i += 16
        }
        if i < n {
            var v = FloatVector(repeating: 0)
            for j in 0..<(n - i) { v[j] = base[i + j] }
            let r = f(v)
            for j in 0..<(n - i) { base[i + j] = r[j] }
        }
    }
}
