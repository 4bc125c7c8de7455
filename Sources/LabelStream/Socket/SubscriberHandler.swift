import Foundation
import NIOCore

/// One published record or event: its line (`jsonLine()` + "\n"), encoded once and shared by
/// every subscriber that receives it without a gap.
struct PublishedRecord: Sendable {
    /// Nil for an event (`TrackEvent`): events carry no `dropped_before`, so a gap before one
    /// is reported on the next frame record.
    let record: FrameRecord?
    let line: ByteBuffer

    init(_ record: FrameRecord) {
        self.record = record
        self.line = ByteBuffer(string: record.jsonLine() + "\n")
    }

    init(_ event: TrackEvent) {
        self.record = nil
        self.line = ByteBuffer(string: event.jsonLine() + "\n")
    }

    /// The line for a reader that missed `missed` lines just before this one.
    func line(missed: Int) -> ByteBuffer {
        guard missed > 0, let record else { return line }
        var copy = record
        copy.droppedBefore += missed
        return ByteBuffer(string: copy.jsonLine() + "\n")
    }
}

/// One subscriber's connection: a bounded backlog of records not yet handed to the channel,
/// written into NIO only while the channel is writable (below its high water mark).
///
/// Publishers call `enqueue` from any thread; it appends under `lock` (dropping the oldest
/// record when the backlog is full) and schedules at most one drain task on the event loop at
/// a time, so neither the backlog nor the event loop's task queue grows without bound. Bytes
/// the subscriber sends are read into small fixed-size buffers and discarded.
final class SubscriberHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let channel: Channel
    private let capacity: Int
    private let registry: SubscriberRegistry

    // Guarded by `lock` (publishers and the event loop).
    private let lock = NSLock()
    private var backlog: CircularBuffer<PublishedRecord>
    /// Records dropped just before the backlog's first record.
    private var missed = 0
    private var drainScheduled = false
    private var finishing = false
    private var gone = false

    // Event loop only.
    private var context: ChannelHandlerContext?
    private var lastWrite: EventLoopFuture<Void>?
    private var closing = false

    init(channel: Channel, capacity: Int, registry: SubscriberRegistry) {
        self.channel = channel
        self.capacity = capacity
        self.registry = registry
        self.backlog = CircularBuffer(initialCapacity: capacity)
    }

    // MARK: Any thread

    /// Queues `record` for this subscriber; never blocks on the subscriber.
    func enqueue(_ record: PublishedRecord) {
        var droppedNow = 0
        let schedule: Bool = lock.withLock {
            if gone || finishing { return false }
            if backlog.count >= capacity {
                backlog.removeFirst()
                missed += 1
                droppedNow = 1
            }
            backlog.append(record)
            return claimDrainLocked()
        }
        if droppedNow > 0 { registry.addDropped(droppedNow) }
        if schedule { scheduleDrain() }
    }

    /// Stops taking records, sends what is pending, then closes the channel; the channel is
    /// closed at `deadline` at the latest.
    func finish(deadline: NIODeadline) {
        let schedule: Bool = lock.withLock {
            finishing = true
            return claimDrainLocked()
        }
        if schedule { scheduleDrain() }
        let channel = self.channel
        channel.eventLoop.scheduleTask(deadline: deadline) { channel.close(promise: nil) }
    }

    /// Whether the caller should schedule a drain (true when none is scheduled yet).
    private func claimDrainLocked() -> Bool {
        if drainScheduled { return false }
        drainScheduled = true
        return true
    }

    private func scheduleDrain() {
        channel.eventLoop.execute { self.drain() }
    }

    // MARK: Event loop

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        if !registry.add(self) {
            // The server is closing: no new subscribers.
            context.close(promise: nil)
        }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        lock.withLock {
            gone = true
            backlog.removeAll()
        }
        registry.remove(self)
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // Subscribers have nothing to say: discard.
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // ChannelEvent.inputClosed: the subscriber half-closed; keep sending.
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        guard context.channel.isWritable else { return }
        let schedule = lock.withLock { claimDrainLocked() }
        if schedule { scheduleDrain() }
    }

    /// Hands backlog records to the channel while it is writable, then flushes; when
    /// finishing and nothing is left, closes the channel once the last write completed.
    private func drain() {
        lock.withLock { drainScheduled = false }
        guard let context, !closing else { return }
        let channel = context.channel
        while channel.isWritable {
            var wrote = false
            while channel.isWritable, let (record, missedBefore) = takeFirst() {
                lastWrite = context.write(wrapOutboundOut(record.line(missed: missedBefore)))
                wrote = true
            }
            guard wrote else { break }
            context.flush()
        }
        let done = lock.withLock { finishing && backlog.isEmpty }
        if done {
            closing = true
            if let lastWrite {
                lastWrite.whenComplete { _ in channel.close(promise: nil) }
            } else {
                context.close(promise: nil)
            }
        }
    }

    private func takeFirst() -> (PublishedRecord, Int)? {
        lock.withLock {
            guard let first = backlog.popFirst() else { return nil }
            // A gap before an event is told by the next frame record.
            guard first.record != nil else { return (first, 0) }
            let m = missed
            missed = 0
            return (first, m)
        }
    }
}
