extension Tensor {
    /// The `k` largest elements of the flattened tensor and their flat indices, largest
    /// first; equal values keep index order and NaN ranks above every number
    /// (as `torch.topk(sorted=True)` orders them).
    public func topK(_ k: Int) -> (values: [Float], indices: [Int]) {
        precondition(k >= 0, "topK: negative k")
        let take = min(k, count)
        return withUnsafeBufferPointer { x in
            func before(_ i: Int, _ j: Int) -> Bool {
                let (a, b) = (x[i], x[j])
                if a.isNaN != b.isNaN { return a.isNaN }
                if a != b && !a.isNaN { return a > b }
                return i < j
            }
            // Keep a sorted window of the best `take` indices; O(n log k) for small k.
            var best: [Int] = []
            best.reserveCapacity(take + 1)
            for i in 0..<x.count where take > 0 {
                if best.count == take, let last = best.last, !before(i, last) { continue }
                var lo = 0, hi = best.count
                while lo < hi {
                    let mid = (lo + hi) / 2
                    if before(best[mid], i) { lo = mid + 1 } else { hi = mid }
                }
                best.insert(i, at: lo)
                if best.count > take { best.removeLast() }
            }
            return (best.map { x[$0] }, best)
        }
    }
}
