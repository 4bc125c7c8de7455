import Foundation

/// A thread-safe memo of already-encoded words (UTF-8 bytes → token ids), shared by all copies
/// of a tokenizer. Prompts repeat their words a lot ("a photo of a …"), so most words are
/// looked up rather than merged.
///
/// The memo is bounded: words longer than `maxWordBytes` are not stored, and when it reaches
/// `capacity` entries it starts again empty, so hostile input cannot grow it without limit.
final class WordCache: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [[UInt8]: [Int32]] = [:]
    let capacity: Int
    let maxWordBytes: Int

    init(capacity: Int = 65_536, maxWordBytes: Int = 256) {
        self.capacity = capacity
        self.maxWordBytes = maxWordBytes
    }

    /// The ids stored for `word`, or else `compute(word)`, stored when the word is short enough.
    func ids(for word: [UInt8], compute: ([UInt8]) -> [Int32]) -> [Int32] {
        guard word.count <= maxWordBytes else { return compute(word) }
        if let hit = lock.withLock({ entries[word] }) { return hit }
        let ids = compute(word)
        lock.withLock {
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[word] = ids
        }
        return ids
    }

    /// How many words are stored.
    var count: Int { lock.withLock { entries.count } }
}
