import Foundation

/// The server's shared, lock-protected state: the connected subscribers and the counters.
/// Handlers (on the event loop) and publishers/closers (any thread) meet here.
final class SubscriberRegistry: @unchecked Sendable {
    private let lock = NSLock()
    private var subscribers: [ObjectIdentifier: SubscriberHandler] = [:]
    private var closed = false
    private var published = 0
    private var dropped = 0

    /// Adds a subscriber whose channel became active; false once the server is closing.
    func add(_ subscriber: SubscriberHandler) -> Bool {
        lock.withLock {
            if closed { return false }
            subscribers[ObjectIdentifier(subscriber)] = subscriber
            return true
        }
    }

    func remove(_ subscriber: SubscriberHandler) {
        lock.withLock { _ = subscribers.removeValue(forKey: ObjectIdentifier(subscriber)) }
    }

    /// Counts one published record and returns who receives it; nil once closed.
    func beginPublish() -> [SubscriberHandler]? {
        lock.withLock {
            if closed { return nil }
            published += 1
            return Array(subscribers.values)
        }
    }

    /// Marks the registry closed (no more subscribers or records) and returns the
    /// subscribers to drain.
    func close() -> [SubscriberHandler] {
        lock.withLock {
            closed = true
            return Array(subscribers.values)
        }
    }

    func addDropped(_ n: Int) {
        lock.withLock { dropped += n }
    }

    var subscriberCount: Int { lock.withLock { subscribers.count } }
    var publishedCount: Int { lock.withLock { published } }
    var droppedCount: Int { lock.withLock { dropped } }
}
