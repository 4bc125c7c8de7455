import Foundation

/// The hand-off from the decoding stage to the inference stage.
///
/// - `.backpressure(capacity)` (files): `put` waits while `capacity` frames are pending, so a
///   slow model slows decoding down and memory stays flat; no frame is lost.
/// - `.newestWins` (live sources): one slot; `put` never waits and replaces a frame the model
///   has not taken yet, which is counted as skipped. A slow model never builds a backlog and
///   always works on the newest frame.
final class FrameHandoff<Item>: @unchecked Sendable {
    enum Policy: Sendable, Equatable {
        case backpressure(capacity: Int)
        case newestWins
    }

    private let policy: Policy
    private let condition = NSCondition()
    private var items: [Item] = []
    private var closed = false
    private var replaced = 0

    init(policy: Policy) {
        self.policy = policy
    }

    /// Hands `item` over; returns how many pending items it replaced (0 or 1, newest-wins only).
    /// Returns nil without handing over when the hand-off was closed.
    @discardableResult
    func put(_ item: Item) -> Int? {
        condition.lock()
        defer { condition.unlock() }
        switch policy {
        case .backpressure(let capacity):
            while !closed && items.count >= max(capacity, 1) { condition.wait() }
            guard !closed else { return nil }
            items.append(item)
            condition.broadcast()
            return 0
        case .newestWins:
            guard !closed else { return nil }
            let dropped = items.count
            items = [item]
            replaced += dropped
            condition.broadcast()
            return dropped
        }
    }

    /// The oldest pending item; waits for one. Nil once closed and empty.
    func take() -> Item? {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty && !closed { condition.wait() }
        guard !items.isEmpty else { return nil }
        let item = items.removeFirst()
        condition.broadcast()
        return item
    }

    /// No more items: `take` drains what is pending, then returns nil; `put` refuses.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    /// Closes and drops what is pending, atomically (used on stop: frames not yet segmented are
    /// not processed, and a `put` waiting for room cannot slip a newer frame in between).
    /// Returns how many were dropped.
    @discardableResult
    func cancel() -> Int {
        condition.lock()
        defer { condition.unlock() }
        closed = true
        let n = items.count
        items.removeAll()
        condition.broadcast()
        return n
    }

    var depth: Int {
        condition.lock()
        defer { condition.unlock() }
        return items.count
    }
}
