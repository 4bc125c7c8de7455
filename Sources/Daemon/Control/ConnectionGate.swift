import Foundation
import NIOCore

/// The connections a server holds open: admits at most `capacity` at a time and closes them
/// all when the server stops. Thread-safe.
///
/// When the gate is full, a newcomer is not simply refused: the connection that has been idle
/// the longest (no request in progress, nothing received or answered for at least
/// `evictionIdle`) is closed to make room. Idle connections held open by a careless or hostile
/// client can therefore not lock the administrator out for the whole idle timeout; a
/// newcomer is refused only while every connection is busy or recently active.
final class ConnectionGate: @unchecked Sendable {
    let capacity: Int
    let evictionIdle: TimeAmount

    private struct Entry {
        let channel: any Channel
        var lastActive: NIODeadline
        var busy: Bool
        /// Closes the connection with a word to its client (set by its handler).
        var evict: (@Sendable () -> Void)?
    }

    private let lock = NSLock()
    private var open: [ObjectIdentifier: Entry] = [:]
    private var closed = false

    init(capacity: Int, evictionIdle: TimeAmount = .seconds(1)) {
        self.capacity = capacity
        self.evictionIdle = evictionIdle
    }

    /// Admits `channel` when there is room (making room by evicting the longest-idle connection
    /// when full) and the server is running; the channel leaves the gate by itself when it closes.
    func admit(_ channel: any Channel) -> Bool {
        let id = ObjectIdentifier(channel)
        let now = NIODeadline.now()
        let (admitted, victim): (Bool, Entry?) = lock.withLock {
            guard !closed else { return (false, nil) }
            var victim: Entry? = nil
            if open.count >= capacity {
                let candidate = open.filter { !$0.value.busy && now - $0.value.lastActive >= evictionIdle }
                    .min { $0.value.lastActive < $1.value.lastActive }
                guard let candidate else { return (false, nil) }
                victim = open.removeValue(forKey: candidate.key)
            }
            open[id] = Entry(channel: channel, lastActive: now, busy: false, evict: nil)
            return (true, victim)
        }
        if let victim {
            if let evict = victim.evict { evict() } else { victim.channel.close(promise: nil) }
        }
        if admitted {
            channel.closeFuture.whenComplete { [weak self] _ in
                guard let self else { return }
                self.lock.withLock {
                    if let entry = self.open[id], entry.channel === channel { self.open[id] = nil }
                }
            }
        }
        return admitted
    }

    /// How `channel`'s handler closes it when it is evicted.
    func onEviction(of channel: any Channel, _ evict: @escaping @Sendable () -> Void) {
        lock.withLock { open[ObjectIdentifier(channel)]?.evict = evict }
    }

    /// `channel` received a request (`busy`: being carried out) or was answered (`busy` false).
    func noteActivity(of channel: any Channel, busy: Bool) {
        let now = NIODeadline.now()
        lock.withLock {
            open[ObjectIdentifier(channel)]?.lastActive = now
            open[ObjectIdentifier(channel)]?.busy = busy
        }
    }

    /// Connections open now.
    var count: Int { lock.withLock { open.count } }

    /// Admits nothing more and returns the connections open now.
    func close() -> [any Channel] {
        lock.withLock {
            closed = true
            return open.values.map(\.channel)
        }
    }
}
