import Dispatch
import Foundation

/// Turns SIGINT/SIGTERM (and any other given signals) into a callback on a Dispatch queue
/// instead of killing the process, so that work in flight can be flushed. A second SIGINT or
/// SIGTERM while the first is being handled exits at once with 128 + signal (the user insisted).
final class SignalTrap: @unchecked Sendable {
    private var sources: [DispatchSourceSignal] = []
    private let lock = NSLock()
    private var received: Int32?

    /// The first signal received, if any.
    var signal: Int32? {
        lock.lock()
        defer { lock.unlock() }
        return received
    }

    init(signals: [Int32] = [SIGINT, SIGTERM], handler: @escaping @Sendable (Int32) -> Void) {
        let queue = DispatchQueue(label: "segd.signals")
        for number in signals {
            Foundation.signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { [weak self] in
                guard let self else { return }
                self.lock.lock()
                let first = self.received == nil
                if first { self.received = number }
                self.lock.unlock()
                if first {
                    handler(number)
                } else {
                    FileHandle.standardError.write(Data("segd: second signal, exiting without flushing\n".utf8))
                    exit(128 + number)
                }
            }
            source.resume()
            sources.append(source)
        }
    }

    /// Restores the default actions.
    func cancel() {
        for source in sources { source.cancel() }
        sources.removeAll()
    }
}
