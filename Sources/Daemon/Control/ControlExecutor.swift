import Dispatch
import Foundation
import NIOCore

/// Runs control requests one at a time on a serial dispatch queue, away from the server's
/// event loop, because `DaemonControl` calls may block. Requests from all connections are
/// serialized, so a `vocab` change never interleaves with a `reload`; each connection has at
/// most one request queued, so the queue is bounded by the connection limit.
final class ControlExecutor: @unchecked Sendable {
    private let dispatcher: ControlDispatcher
    private let queue = DispatchQueue(label: "segd.control")
    private let onQueue = DispatchSpecificKey<Bool>()
    private let lock = NSLock()
    private var stopping = false

    init(control: any DaemonControl) {
        self.dispatcher = ControlDispatcher(control: control)
        queue.setSpecific(key: onQueue, value: true)
    }

    /// Carries out `request` on the queue; the future completes on `loop`'s side of NIO.
    /// After `stop()`, requests not yet started are answered with an error instead.
    func submit(_ request: ControlRequest, on loop: any EventLoop) -> EventLoopFuture<ControlResponse> {
        let promise = loop.makePromise(of: ControlResponse.self)
        queue.async {
            let stopping = self.lock.withLock { self.stopping }
            let response = stopping ? ControlResponse.failure("segd is shutting down") : self.dispatcher.respond(to: request)
            promise.succeed(response)
        }
        return promise.futureResult
    }

    /// Answers requests not yet started with an error, and waits for the one running now
    /// (unless called from within a request, which cannot wait for itself).
    func stop() {
        lock.withLock { stopping = true }
        if DispatchQueue.getSpecific(key: onQueue) != true {
            queue.sync {}
        }
    }
}
