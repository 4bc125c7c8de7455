#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import NIOCore
import NIOPosix

/// Serves the label stream on a Unix domain stream socket (`--socket PATH`, design.md "Label
/// stream") to any number of subscribers: JSON Lines, one `FrameRecord` per line.
///
/// - `publish` never blocks on subscribers. A subscriber starts at the next record published
///   after it connected.
/// - Each subscriber has a backlog of `backlogRecords` records not yet handed to the socket.
///   Records go into NIO only while the connection is below its write-buffer high water mark,
///   so a slow reader fills its backlog; then its oldest pending record is dropped, and the
///   next record it receives carries `dropped_before` = the records it missed just before it.
///   Other subscribers and the publisher are not affected.
/// - Bytes a subscriber sends are read into small fixed-size buffers and discarded. A
///   subscriber may half-close its side and keep reading; one that fails is removed at once,
///   one that closes when the server next writes to it (its end of stream looks like a
///   half-close until then).
/// - The socket file gets `mode` (default 0660). A socket file nobody listens on is replaced;
///   a live server or a non-socket at `path` is an error. `close()` removes the file.
///
/// All methods may be called from any thread except the server's own event loop.
public final class LabelSocketServer: @unchecked Sendable {
    /// The socket's path.
    public let path: String
    /// The capacity of each subscriber's backlog, in records.
    public let backlogRecords: Int

    private let group: MultiThreadedEventLoopGroup
    private let serverChannel: Channel
    private let registry: SubscriberRegistry
    private let identity: FileIdentity?
    /// Serializes `close()`; `isClosed` is guarded by it.
    private let closeLock = NSLock()
    private var isClosed = false

    /// NIO's write-buffer water marks per subscriber: records are handed to NIO while its
    /// buffer holds less than `high` bytes, and again once it drains below `low`.
    static let waterMarks = ChannelOptions.Types.WriteBufferWaterMark(low: 32 * 1024, high: 128 * 1024)
    /// The size of the buffers that subscriber input is read into (and discarded).
    static let readChunkBytes = 4096

    /// Binds and listens on `path`.
    ///
    /// - Parameters:
    ///   - path: the socket path (at most 107 bytes on Linux).
    ///   - backlogRecords: records kept per subscriber before the oldest is dropped (≥ 1).
    ///   - mode: the socket file's permission bits.
    /// - Throws: `LabelSocketError` when `path` is too long, is served by a live server, is
    ///   not a socket, or cannot be bound.
    public init(path: String, backlogRecords: Int = 64, mode: UInt32 = 0o660) throws {
        precondition(backlogRecords >= 1, "backlogRecords must be at least 1")
        try UnixSocketAddress.validate(path)
        switch UnixSocketAddress.occupant(of: path) {
        case .nothing:
            break
        case .staleSocket:
            if unlink(path) != 0 && errno != ENOENT {
                throw LabelSocketError.bindFailed(
                    path: path, reason: "cannot remove the stale socket file: \(UnixSocketAddress.message(errno))")
            }
        case .liveServer:
            throw LabelSocketError.alreadyServing(path: path)
        case .notASocket:
            throw LabelSocketError.notASocket(path: path)
        case .unknown(let code):
            if code == EACCES || code == EPERM { throw LabelSocketError.permissionDenied(path: path) }
            throw LabelSocketError.bindFailed(path: path, reason: UnixSocketAddress.message(code))
        }

        let registry = SubscriberRegistry()
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let capacity = backlogRecords
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelOption(.writeBufferWaterMark, value: Self.waterMarks)
            .childChannelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: Self.readChunkBytes))
            .childChannelOption(.maxMessagesPerRead, value: 4)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        SubscriberHandler(channel: channel, capacity: capacity, registry: registry))
                }
            }
        let channel: Channel
        do {
            channel = try bootstrap.bind(unixDomainSocketPath: path).wait()
        } catch {
            try? group.syncShutdownGracefully()
            throw LabelSocketError.bindFailed(path: path, reason: String(describing: error))
        }
        if chmod(path, mode_t(mode)) != 0 {
            let reason = UnixSocketAddress.message(errno)
            try? channel.close().wait()
            try? group.syncShutdownGracefully()
            _ = unlink(path)
            throw LabelSocketError.chmodFailed(path: path, reason: reason)
        }
        self.path = path
        self.backlogRecords = backlogRecords
        self.group = group
        self.serverChannel = channel
        self.registry = registry
        self.identity = UnixSocketAddress.identity(of: path)
    }

    deinit {
        close(drainTimeout: 0)
    }

    /// Sends `record` to every connected subscriber (with `droppedBefore` raised by what each
    /// one missed just before it). Returns at once; does nothing after `close()`.
    public func publish(_ record: FrameRecord) {
        guard let subscribers = registry.beginPublish(), !subscribers.isEmpty else { return }
        let published = PublishedRecord(record)
        for subscriber in subscribers { subscriber.enqueue(published) }
    }

    /// Sends an object event to every connected subscriber, after the records published before
    /// it. A subscriber that drops it (too slow) learns of the gap from the next record's
    /// `dropped_before`, which counts lines of both kinds. Returns at once.
    public func publish(_ event: TrackEvent) {
        guard let subscribers = registry.beginPublish(), !subscribers.isEmpty else { return }
        let published = PublishedRecord(event)
        for subscriber in subscribers { subscriber.enqueue(published) }
    }

    /// Subscribers connected now (one that closed is counted until the next record is
    /// written to it).
    public var subscriberCount: Int { registry.subscriberCount }

    /// Records dropped for slow subscribers since the start, summed over all subscribers
    /// (including those that have disconnected).
    public var totalDropped: Int { registry.droppedCount }

    /// Lines (records and events) published since the start (before `close()`).
    public var publishedCount: Int { registry.publishedCount }

    /// Stops accepting, gives connected subscribers up to `drainTimeout` seconds to receive
    /// what is pending (each gets end of stream after its last record), closes them, stops
    /// the event loop and removes the socket file. Idempotent; a concurrent call waits for the
    /// first to finish.
    public func close(drainTimeout: Double = 2) {
        closeLock.lock()
        defer { closeLock.unlock() }
        if isClosed { return }
        isClosed = true

        let loop = serverChannel.eventLoop
        let subscribers = registry.close()
        let seconds = drainTimeout.isFinite ? max(0, drainTimeout) : 0
        let deadline = NIODeadline.now() + .nanoseconds(Int64(seconds * 1e9))
        serverChannel.close(promise: nil)
        for subscriber in subscribers { subscriber.finish(deadline: deadline) }

        if loop.inEventLoop {
            // Cannot wait on our own loop: let it wind down by itself.
            group.shutdownGracefully(queue: .global()) { _ in }
        } else {
            let closed = subscribers.map { $0.channel.closeFuture } + [serverChannel.closeFuture]
            _ = try? EventLoopFuture.andAllComplete(closed, on: loop).wait()
            try? group.syncShutdownGracefully()
        }
        removeSocketFile()
    }

    /// Unlinks `path` if it is still the socket this server created.
    private func removeSocketFile() {
        guard let identity, UnixSocketAddress.identity(of: path) == identity else { return }
        _ = unlink(path)
    }
}
