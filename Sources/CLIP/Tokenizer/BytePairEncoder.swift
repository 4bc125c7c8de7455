/// Byte-level BPE of one pre-token, with the result of open_clip's `SimpleTokenizer.bpe`.
///
/// open_clip repeatedly takes the adjacent pair with the lowest merge rank and merges every
/// occurrence of it, left to right, until no pair has a rank. That is quadratic in the word
/// length (a 10,000-letter "word" would take seconds). This encoder gets the same result in
/// O(n log n): all adjacent pairs sit in a min-heap ordered by (rank, position), the symbols
/// in a linked list, and stale heap entries are skipped when popped. Processing the pairs of
/// one rank strictly left to right is exactly open_clip's pass; because every pair involving
/// a symbol made by merge `r` ranks after `r` (checked when the vocabulary loads), no pair
/// created during a pass can jump ahead of the rest of that pass.
struct BytePairEncoder: Sendable {
    let vocabulary: BPEVocabulary

    /// The token ids of a word given as UTF-8 bytes; the last symbol carries `</w>`.
    func encode(_ bytes: [UInt8]) -> [Int32] {
        let count = bytes.count
        guard count > 0 else { return [] }
        var ids = bytes.map { ByteToUnicode.baseID[Int($0)] }
        ids[count - 1] += 256
        guard count > 1 else { return ids }

        let ranks = vocabulary.ranks
        // Doubly linked list over symbol slots; a merged symbol keeps its left slot and the
        // right slot is unlinked. -1 ends the list.
        var next = [Int32](unsafeUninitializedCapacity: count) { buffer, initialized in
            for i in 0..<count { buffer[i] = i + 1 < count ? Int32(i + 1) : -1 }
            initialized = count
        }
        var previous = [Int32](unsafeUninitializedCapacity: count) { buffer, initialized in
            for i in 0..<count { buffer[i] = Int32(i - 1) }
            initialized = count
        }
        var alive = [Bool](repeating: true, count: count)
        var heap = PairHeap(capacity: count)
        for i in 0..<(count - 1) {
            if let rank = ranks[BPEVocabulary.pairKey(ids[i], ids[i + 1])] { heap.push(rank: rank, position: Int32(i)) }
        }

        // Hot loop: one iteration per heap entry. An entry is current when its left slot is
        // still alive, has a right neighbour, and that pair still has the entry's rank (ranks
        // identify pairs uniquely, so equal rank means the same two symbols).
        while let (rank, position) = heap.pop() {
            let left = Int(position)
            guard alive[left], next[left] >= 0 else { continue }
            let right = Int(next[left])
            guard ranks[BPEVocabulary.pairKey(ids[left], ids[right])] == rank else { continue }

            ids[left] = BPEVocabulary.firstMergeID + rank
            alive[right] = false
            let after = next[right]
            next[left] = after
            if after >= 0 { previous[Int(after)] = Int32(left) }

            let before = previous[left]
            if before >= 0, let r = ranks[BPEVocabulary.pairKey(ids[Int(before)], ids[left])] {
                heap.push(rank: r, position: before)
            }
            if after >= 0, let r = ranks[BPEVocabulary.pairKey(ids[left], ids[Int(after)])] {
                heap.push(rank: r, position: Int32(left))
            }
        }

        var result: [Int32] = []
        var slot: Int32 = 0
        while slot >= 0 {
            result.append(ids[Int(slot)])
            slot = next[Int(slot)]
        }
        return result
    }
}

/// A binary min-heap of (rank, position) pairs packed into one integer, so that ties in rank
/// are broken by position (leftmost first).
private struct PairHeap {
    private var keys: [UInt64] = []

    init(capacity: Int) { keys.reserveCapacity(capacity) }

    mutating func push(rank: Int32, position: Int32) {
        keys.append(UInt64(UInt32(bitPattern: rank)) << 32 | UInt64(UInt32(bitPattern: position)))
        var child = keys.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard keys[child] < keys[parent] else { break }
            keys.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> (rank: Int32, position: Int32)? {
        guard let top = keys.first else { return nil }
        let last = keys.removeLast()
        if !keys.isEmpty {
            keys[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1
                guard left < keys.count else { break }
                let right = left + 1
                let smaller = right < keys.count && keys[right] < keys[left] ? right : left
                guard keys[smaller] < keys[parent] else { break }
                keys.swapAt(smaller, parent)
                parent = smaller
            }
        }
        return (Int32(truncatingIfNeeded: top >> 32), Int32(truncatingIfNeeded: top & 0xFFFF_FFFF))
    }
}
