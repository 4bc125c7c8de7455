import Dispatch
import Foundation
import Synchronization
import COpenBLAS

/// The one threading setting of segd (`--threads`).
///
/// Threading model: a kernel either hands its work to OpenBLAS (every GEMM, which then
/// splits the product over its own pthreads) or splits it itself with `parallelFor`
/// (elementwise, normalisation, depthwise, resize and sampling kernels, over Dispatch's
/// worker threads). The two never nest: a segd-parallel kernel never calls BLAS, and GEMMs
/// are issued from one thread at a time per inference. `configure(threads:)` sets both
/// widths to the same number, so N threads means at most N busy cores.
public enum ComputeThreads {
    private static let width = Atomic<Int>(max(ProcessInfo.processInfo.activeProcessorCount, 1))

    /// The number of threads kernels use.
    public static var count: Int { width.load(ordering: .relaxed) }

    /// Sets the number of threads for OpenBLAS and segd's own kernels (at least 1).
    public static func configure(threads: Int) {
        let n = max(1, threads)
        width.store(n, ordering: .relaxed)
        openblas_set_num_threads(Int32(n))
    }

    /// The default: every core this process may run on.
    public static var available: Int { max(ProcessInfo.processInfo.activeProcessorCount, 1) }
}

/// Runs `body` over `0..<n` split into at most `ComputeThreads.count` contiguous ranges of
/// at least `grain` items each; runs inline when one range suffices.
@inlinable
public func parallelFor(_ n: Int, grain: Int = 1, _ body: (Range<Int>) -> Void) {
    guard n > 0 else { return }
    let chunks = min(ComputeThreads.count, max(1, n / max(grain, 1)))
    if chunks <= 1 {
        body(0..<n)
        return
    }
    withoutActuallyEscaping(body) { body in
        let box = UncheckedSendable(body)
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            let lo = n * c / chunks, hi = n * (c + 1) / chunks
            if lo < hi { box.value(lo..<hi) }
        }
    }
}

/// Carries a value into a concurrent closure when the caller guarantees the accesses are
/// disjoint (each `parallelFor` range writes its own slice).
@usableFromInline
struct UncheckedSendable<T>: @unchecked Sendable {
    @usableFromInline let value: T
    @usableFromInline init(_ value: T) { self.value = value }
}
