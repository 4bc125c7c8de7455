import Synchronization
import Testing
import Tensor

/// Tests that change the process-wide thread count. Serialized among themselves; every test
/// restores `ComputeThreads.available` when it ends. (Other suites may run meanwhile: the thread
/// count changes only how they split work, never their results.)
@Suite("ComputeThreads / parallelFor", .serialized)
struct ComputeThreadsTests {
    /// Runs `body` with `threads` compute threads, restoring the default afterwards.
    private func withThreads<R>(_ threads: Int, _ body: () -> R) -> R {
        ComputeThreads.configure(threads: threads)
        defer { ComputeThreads.configure(threads: ComputeThreads.available) }
        return body()
    }

    @Test("configure sets the count, at least 1")
    func configure() {
        withThreads(1) { #expect(ComputeThreads.count == 1) }
        withThreads(2) { #expect(ComputeThreads.count == 2) }
        withThreads(0) { #expect(ComputeThreads.count == 1) }
        withThreads(-3) { #expect(ComputeThreads.count == 1) }
        #expect(ComputeThreads.count == ComputeThreads.available)
        #expect(ComputeThreads.available >= 1)
    }

    @Test("parallelFor visits 0..<n exactly once in at most `count` contiguous ranges", arguments: [1, 2])
    func parallelForCoverage(_ threads: Int) {
        for (n, grain) in [(0, 1), (1, 1), (2, 1), (7, 1), (100, 1), (100, 30), (100, 200), (1000, 7), (5, 0)] {
            let hits = Mutex([Int](repeating: 0, count: n))
            let ranges = Mutex([Range<Int>]())
            withThreads(threads) {
                parallelFor(n, grain: grain) { r in
                    ranges.withLock { $0.append(r) }
                    hits.withLock { h in for i in r { h[i] += 1 } }
                }
            }
            let visited = hits.withLock { $0 }
            let used = ranges.withLock { $0 }
            #expect(visited.allSatisfy { $0 == 1 }, "n \(n) grain \(grain) threads \(threads)")
            #expect(used.count <= threads, "n \(n) grain \(grain): \(used.count) ranges for \(threads) threads")
            #expect(used.allSatisfy { !$0.isEmpty })
            if grain > 0 && n >= grain { #expect(used.allSatisfy { $0.count >= grain }) }
        }
    }

    @Test("1 and 2 threads give the same GEMM, convolution, depthwise, normalisation and softmax results")
    func threadCountInvariance() {
        let a = Tensor.random(shape: [96, 80], seed: 1), b = Tensor.random(shape: [80, 72], seed: 2)
        let map = Tensor.random(shape: [2, 20, 20, 24], seed: 3)
        let dw = DepthwiseConv2dWeights(weight: Tensor.random(shape: [24, 1, 7, 7], seed: 4),
                                        bias: Tensor.random(shape: [24], seed: 5), padding: 3)
        let conv = Conv2dWeights(weight: Tensor.random(shape: [16, 24, 3, 3], seed: 6), bias: nil, padding: 1)
        let big = Tensor.random(shape: [1, 64, 48, 8], seed: 7) // ≥ 2048 positions: threaded groupNorm statistics
        func run() -> [[Float]] {
            [Tensor.matmul(a, b).scalars,
             map.depthwiseConv2d(dw).scalars,
             map.conv2d(conv).scalars,
             big.groupNorm(groups: 4, weight: nil, bias: nil, eps: 1e-5).scalars,
             map.layerNorm(weight: nil, bias: nil, eps: 1e-5).scalars,
             map.softmax().scalars,
             big.resizedBilinear(height: 37, width: 29).scalars]
        }
        let one = withThreads(1, run)
        let two = withThreads(2, run)
        let names = ["matmul", "depthwise", "conv2d", "groupNorm", "layerNorm", "softmax", "resize"]
        for (i, name) in names.enumerated() {
            // Only the order of float additions may differ (OpenBLAS splits; groupNorm partial
            // sums): 1e-6 relative L2. The pure per-element kernels are in fact identical.
            #expect(relativeL2(one[i], two[i].map(Double.init)) <= 1e-6, "\(name)")
        }
    }
}
