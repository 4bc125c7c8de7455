import Foundation
import NIOCore

/// The connections a server holds open: admits at most `capacity` at a time and closes them
/// all when the server stops. Thread-safe.
final class ConnectionGate: @unchecked Sendable {
    let capacity: Int
    private let lock = NSLock()
    private var open: [ObjectIdentifier: any Channel] = [:]
    private var closed = false

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// Admits `channel` when there is room and the server is running; the channel leaves the
    /// gate by itself when it closes.
    func admit(_ channel: any Channel) -> Bool {
        let id = ObjectIdentifier(channel)
        let admitted: Bool = lock.withLock {
            guard !closed, open.count < capacity else { return false }
            open[id] = channel
            return true
        }
        if admitted {
            channel.closeFuture.whenComplete { [weak self] _ in
                guard let self else { return }
                self.lock.withLock { _ = self.open.removeValue(forKey: id) }
            }
        }
        return admitted
    }

    /// Connections open now.
    var count: Int { lock.withLock { open.count } }

    /// Admits nothing more and returns the connections open now.
    func close() -> [any Channel] {
        lock.withLock {
            closed = true
            return Array(open.values)
        }
    }
}
