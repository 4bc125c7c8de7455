import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// A small HTTP/1.1 server for Prometheus (`metrics.listen` in the config):
/// `GET /metrics` answers `DaemonMetrics.exposition()` as `text/plain; version=0.0.4`,
/// `GET /healthz` answers "ok"; other paths get 404 and other methods 405.
///
/// Clients are bounded by `MetricsServerLimits` (connections, body size, idle time); request
/// heads are bounded by NIO's HTTP parser, and malformed requests get 400 from NIO's error
/// handler.
public final class MetricsServer: @unchecked Sendable {
    /// The port actually bound (the one asked for, or the ephemeral one chosen for port 0).
    public let boundPort: Int
    /// The bounds applied to clients.
    public let limits: MetricsServerLimits

    private let group: MultiThreadedEventLoopGroup
    private let serverChannel: any Channel
    private let gate: ConnectionGate
    private let closeLock = NSLock()
    private var isClosed = false

    /// Binds `listen` (`host:port`; `:port` for every interface, port 0 for an ephemeral port).
    ///
    /// - Throws: `MetricsServerError` when `listen` is malformed or cannot be bound.
    public init(listen: String, metrics: DaemonMetrics, limits: MetricsServerLimits = MetricsServerLimits()) throws {
        let address = try ListenAddress(listen)
        let gate = ConnectionGate(capacity: limits.maxConnections)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let waterMarks = ChannelOptions.Types.WriteBufferWaterMark(low: 64 * 1024, high: 256 * 1024)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.writeBufferWaterMark, value: waterMarks)
            .childChannelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 16 * 1024))
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if gate.admit(channel) {
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline(
                            withPipeliningAssistance: true, withErrorHandling: true)
                        try channel.pipeline.syncOperations.addHandler(MetricsHTTPHandler(metrics: metrics, limits: limits))
                    } else {
                        try channel.pipeline.syncOperations.addHandler(HTTPRejectHandler())
                    }
                }
            }
        let channel: any Channel
        do {
            channel = try bootstrap.bind(host: address.host, port: address.port).wait()
        } catch {
            try? group.syncShutdownGracefully()
            throw MetricsServerError.bindFailed(listen, reason: String(describing: error))
        }
        self.boundPort = channel.localAddress?.port ?? address.port
        self.limits = limits
        self.group = group
        self.serverChannel = channel
        self.gate = gate
    }

    deinit {
        close()
    }

    /// Stops accepting, closes every connection and stops the event loop. Idempotent.
    public func close() {
        closeLock.lock()
        defer { closeLock.unlock() }
        if isClosed { return }
        isClosed = true

        let loop = serverChannel.eventLoop
        let connections = gate.close()
        serverChannel.close(promise: nil)
        for connection in connections { connection.close(promise: nil) }
        if loop.inEventLoop {
            group.shutdownGracefully(queue: .global()) { _ in }
        } else {
            let closed = connections.map(\.closeFuture) + [serverChannel.closeFuture]
            _ = try? EventLoopFuture.andAllComplete(closed, on: loop).wait()
            try? group.syncShutdownGracefully()
        }
    }
}

/// Answers a connection over the limit with `503 Service Unavailable`, then closes it.
final class HTTPRejectHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    static let response = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"

    func channelActive(context: ChannelHandlerContext) {
        var buffer = context.channel.allocator.buffer(capacity: Self.response.utf8.count)
        buffer.writeString(Self.response)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(buffer)).whenComplete { _ in channel.close(promise: nil) }
        channel.eventLoop.scheduleTask(in: .seconds(2)) { channel.close(promise: nil) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
