import Foundation
import COpenBLAS

/// What OpenBLAS is doing in this process, and which of its kernel sets segd wants.
///
/// Debian's OpenBLAS is a DYNAMIC_ARCH build: at load time it picks a kernel set ("core")
/// from the CPU's identity. OpenBLAS 0.3.21 does not know AMD Zen 4/5 as AVX-512 parts and
/// falls back to its AVX2 "Haswell" kernels, which run SGEMM at about half the speed of the
/// "SkylakeX" AVX-512 kernels on those CPUs (`segd bench kernels` prints both numbers when
/// run with and without `OPENBLAS_CORETYPE`). The core is chosen when the library loads, so
/// it can only be changed for a new process: the `segd` executable re-executes itself once
/// with `OPENBLAS_CORETYPE` set when `preferredCore` says so, then checks the new kernels
/// against a naive product before trusting them (`selfCheck`). `SEGD_BLAS_CORE` overrides
/// the choice (see the README, "Performance").
public enum BLASRuntime {
    /// The kernel set OpenBLAS chose, e.g. "Haswell" or "SkylakeX".
    public static var coreName: String { String(cString: openblas_get_corename()) }

    /// OpenBLAS's build description (version, DYNAMIC_ARCH, threading).
    public static var configuration: String {
        String(cString: openblas_get_config()).trimmingCharacters(in: .whitespaces)
    }

    /// The number of threads OpenBLAS uses for one product.
    public static var threads: Int { Int(openblas_get_num_threads()) }

    /// Kernel sets that use AVX-512 for single-precision GEMM.
    static let avx512Cores: Set<String> = ["SkylakeX", "Cooperlake", "SapphireRapids"]

    /// The kernel set segd prefers over `current` on a CPU with `cpuFlags`, or nil to keep
    /// `current`. AVX-512 kernels need AVX512F/CD/BW/DQ/VL, all of which the kernel lists in
    /// /proc/cpuinfo only when the OS saves the AVX-512 register state. A CPU without them
    /// that was told to use AVX-512 kernels (an inherited `OPENBLAS_CORETYPE`) gets the best
    /// kernels it can run instead of an illegal instruction.
    public static func preferredCore(current: String, cpuFlags: Set<String>) -> String? {
        let avx512: Set<String> = ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"]
        if avx512.isSubset(of: cpuFlags) {
            return avx512Cores.contains(current) ? nil : "SkylakeX"
        }
        guard avx512Cores.contains(current) else { return nil }
        if cpuFlags.isSuperset(of: ["avx2", "fma"]) { return "Haswell" }
        if cpuFlags.contains("avx") { return "Sandybridge" }
        return "Nehalem"
    }

    /// The instruction-set flags of the first CPU in /proc/cpuinfo (empty where there is none).
    public static func cpuFlags(cpuinfo: String? = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) -> Set<String> {
        guard let cpuinfo else { return [] }
        for line in cpuinfo.split(separator: "\n") where line.hasPrefix("flags") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            return Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
        }
        return []
    }

    /// Multiplies small odd-sized matrices in all four transpose combinations and compares
    /// with a double-precision loop. Returns false if any element is off by more than
    /// 1e-4 relative to the largest magnitude (float32 sums of 67 products are good to ~1e-6).
    public static func selfCheck() -> Bool {
        let m = 37, n = 29, k = 67
        var a = [Float](repeating: 0, count: m * k), b = [Float](repeating: 0, count: k * n)
        for i in a.indices { a[i] = Float((i * 7919) % 23) / 11 - 1 }
        for i in b.indices { b[i] = Float((i * 104729) % 19) / 9 - 1 }
        for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
            var c = [Float](repeating: 0, count: m * n)
            // Stored shapes: A is [m, k] or [k, m]; B is [k, n] or [n, k].
            sgemm(transposeA: ta, transposeB: tb, m: m, n: n, k: k, alpha: 1,
                  a: a, lda: ta ? m : k, b: b, ldb: tb ? k : n, beta: 0, c: &c, ldc: n)
            var worst = 0.0, scale = 0.0
            for i in 0..<m {
                for j in 0..<n {
                    var s = 0.0
                    for p in 0..<k {
                        let av = Double(ta ? a[p * m + i] : a[i * k + p])
                        let bv = Double(tb ? b[j * k + p] : b[p * n + j])
                        s += av * bv
                    }
                    worst = max(worst, abs(s - Double(c[i * n + j])))
                    scale = max(scale, abs(s))
                }
            }
            if !(worst <= 1e-4 * max(scale, 1)) { return false }
        }
        return true
    }
}
