#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import LabelStream
import NIOCore
import NIOPosix

/// The daemon's control socket (`control_socket` in the config), which `segd ctl` talks to:
/// a Unix stream socket carrying one JSON request per line and one JSON response line per
/// request (see `ControlRequest` and `ControlResponse`).
///
/// - Requests are carried out on a serial dispatch queue, never on the event loop, so a slow
///   `reload` blocks neither the other connections' I/O nor `ping`.
/// - Clients are bounded by `ControlServerLimits`: line length, idle time, connection count and
///   unread responses (see `ControlConnectionHandler`).
/// - The socket file gets `mode` (default 0660: owner and group). A socket file nobody listens on
///   is replaced; a live server or a file that is not a socket is an error. `close()` removes it.
public final class ControlServer: @unchecked Sendable {
    /// The socket's path.
    public let path: String
    /// The bounds applied to clients.
    public let limits: ControlServerLimits

    private let group: MultiThreadedEventLoopGroup
    private let serverChannel: any Channel
    private let executor: ControlExecutor
    private let gate: ConnectionGate
    private let identity: FileIdentity?
    /// Serializes `close()`; guards `isClosed`.
    private let closeLock = NSLock()
    private var isClosed = false

    /// NIO reads at most this many bytes per read.
    static let readChunkBytes = 16 * 1024

    /// Binds and listens on `path`.
    ///
    /// - Parameters:
    ///   - path: the socket path (at most 107 bytes on Linux).
    ///   - control: what requests are carried out on.
    ///   - mode: the socket file's permission bits.
    ///   - limits: the bounds applied to clients.
    /// - Throws: `ControlSocketError` when `path` is too long, is served by a live server, is not
    ///   a socket, or cannot be bound.
    public init(path: String, control: any DaemonControl, mode: UInt32 = 0o660,
                limits: ControlServerLimits = ControlServerLimits()) throws {
        try ControlSocketError.validate(path)
        switch UnixSocketAddress.occupant(of: path) {
        case .nothing:
            break
        case .staleSocket:
            if unlink(path) != 0 && errno != ENOENT {
                throw ControlSocketError.bindFailed(
                    path: path, reason: "cannot remove the stale socket file: \(UnixSocketAddress.message(errno))")
            }
        case .liveServer:
            throw ControlSocketError.alreadyServing(path: path)
        case .notASocket:
            throw ControlSocketError.notASocket(path: path)
        case .unknown(let code):
            throw ControlSocketError.bindFailed(path: path, reason: UnixSocketAddress.message(code))
        }

        let executor = ControlExecutor(control: control)
        let gate = ConnectionGate(capacity: limits.maxConnections,
                                  evictionIdle: .nanoseconds(Int64(limits.evictionIdle * 1e9)))
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let waterMarks = ChannelOptions.Types.WriteBufferWaterMark(
            low: limits.maxPendingResponseBytes / 2, high: limits.maxPendingResponseBytes)
        let rejection = "too many control connections (\(limits.maxConnections) open): try again later"
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 128)
            .childChannelOption(.autoRead, value: false)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelOption(.writeBufferWaterMark, value: waterMarks)
            .childChannelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: Self.readChunkBytes))
            .childChannelOption(.maxMessagesPerRead, value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if gate.admit(channel) {
                        try channel.pipeline.syncOperations.addHandler(
                            ControlConnectionHandler(executor: executor, limits: limits, gate: gate))
                    } else {
                        try channel.pipeline.syncOperations.addHandler(ControlRejectHandler(message: rejection))
                    }
                }
            }
        let channel: any Channel
        do {
            channel = try bootstrap.bind(unixDomainSocketPath: path).wait()
        } catch {
            try? group.syncShutdownGracefully()
            let reason = (error as? IOError).map { UnixSocketAddress.message($0.errnoCode) } ?? String(describing: error)
            throw ControlSocketError.bindFailed(path: path, reason: reason)
        }
        if chmod(path, mode_t(mode)) != 0 {
            let reason = UnixSocketAddress.message(errno)
            try? channel.close().wait()
            try? group.syncShutdownGracefully()
            _ = unlink(path)
            throw ControlSocketError.chmodFailed(path: path, reason: reason)
        }
        self.path = path
        self.limits = limits
        self.group = group
        self.serverChannel = channel
        self.executor = executor
        self.gate = gate
        self.identity = UnixSocketAddress.identity(of: path)
    }

    deinit {
        close()
    }

    /// Connections open now (for tests and diagnostics).
    public var connectionCount: Int { gate.count }

    /// Stops accepting, closes every connection (a request being carried out finishes first;
    /// queued ones are not started), stops the event loop and removes the socket file.
    /// Idempotent; a concurrent call waits for the first to finish.
    public func close() {
        closeLock.lock()
        defer { closeLock.unlock() }
        if isClosed { return }
        isClosed = true

        let loop = serverChannel.eventLoop
        let connections = gate.close()
        serverChannel.close(promise: nil)
        for connection in connections { connection.close(promise: nil) }
        executor.stop()
        if loop.inEventLoop {
            // Cannot wait on our own loop: let it wind down by itself.
            group.shutdownGracefully(queue: .global()) { _ in }
        } else {
            let closed = connections.map(\.closeFuture) + [serverChannel.closeFuture]
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
