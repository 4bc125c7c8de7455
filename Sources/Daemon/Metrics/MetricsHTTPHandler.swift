import NIOCore
import NIOHTTP1

/// Answers one HTTP connection of `MetricsServer`: `GET /metrics` (the exposition),
/// `GET /healthz` ("ok"), 404 for other paths, 405 for other methods, 413 for a body over the
/// limit. Keep-alive is honoured. A response waits while the channel is not writable (a client
/// that pipelines requests without reading stops being read, by NIO's pipelining handler), and a
/// connection that completes no request for `idleTimeout` seconds is closed.
///
/// All state is confined to the channel's event loop.
final class MetricsHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let metrics: DaemonMetrics
    private let limits: MetricsServerLimits
    private let idleTimeout: TimeAmount

    private var context: ChannelHandlerContext?
    private var head: HTTPRequestHead?
    private var bodyBytes = 0
    /// A complete request waiting for the channel to become writable.
    private var pending: HTTPRequestHead?
    private var closing = false
    private var lastProgress = NIODeadline.now()
    private var idleCheck: Scheduled<Void>?

    /// The content type of the Prometheus text format.
    static let expositionContentType = "text/plain; version=0.0.4; charset=utf-8"

    init(metrics: DaemonMetrics, limits: MetricsServerLimits) {
        self.metrics = metrics
        self.limits = limits
        self.idleTimeout = .nanoseconds(Int64(limits.idleTimeout * 1e9))
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        idleCheck?.cancel()
        idleCheck = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        lastProgress = .now()
        scheduleIdleCheck(at: lastProgress + idleTimeout)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        closing = true
        idleCheck?.cancel()
        idleCheck = nil
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !closing else { return }
        switch unwrapInboundIn(data) {
        case .head(let requestHead):
            head = requestHead
            bodyBytes = 0
        case .body(let chunk):
            bodyBytes += chunk.readableBytes
            if bodyBytes > limits.maxBodyBytes, let requestHead = head {
                head = nil
                respond(to: requestHead, status: .payloadTooLarge,
                        body: "request body larger than \(limits.maxBodyBytes) bytes\n", close: true)
            }
        case .end:
            guard let requestHead = head else { return }
            head = nil
            lastProgress = .now()
            if context.channel.isWritable {
                answer(requestHead)
            } else {
                pending = requestHead
            }
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable, let requestHead = pending {
            pending = nil
            answer(requestHead)
        }
        context.fireChannelWritabilityChanged()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        closing = true
        context.close(promise: nil)
    }

    /// Routes a complete request.
    private func answer(_ request: HTTPRequestHead) {
        guard request.method == .GET else {
            return respond(to: request, status: .methodNotAllowed, body: "only GET is supported\n",
                           extraHeaders: [("Allow", "GET")])
        }
        let path = request.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        switch path {
        case "/metrics":
            respond(to: request, status: .ok, body: metrics.exposition(), contentType: Self.expositionContentType)
        case "/healthz":
            respond(to: request, status: .ok, body: "ok\n")
        default:
            respond(to: request, status: .notFound, body: "not found: try /metrics or /healthz\n")
        }
    }

    private func respond(to request: HTTPRequestHead, status: HTTPResponseStatus, body: String,
                         contentType: String = "text/plain; charset=utf-8",
                         extraHeaders: [(String, String)] = [], close: Bool = false) {
        guard let context, !closing else { return }
        let keepAlive = request.isKeepAlive && !close
        var buffer = context.channel.allocator.buffer(capacity: body.utf8.count)
        buffer.writeString(body)
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: contentType)
        headers.add(name: "Content-Length", value: String(buffer.readableBytes))
        for (name, value) in extraHeaders { headers.add(name: name, value: value) }
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: request.version, status: status, headers: headers))),
                      promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            closing = true
            let channel = context.channel
            done.whenComplete { _ in channel.close(promise: nil) }
            channel.eventLoop.scheduleTask(in: .seconds(2)) { channel.close(promise: nil) }
        }
    }

    private func scheduleIdleCheck(at deadline: NIODeadline) {
        guard let context else { return }
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        idleCheck = context.eventLoop.scheduleTask(deadline: deadline) { bound.value.checkIdle() }
    }

    private func checkIdle() {
        idleCheck = nil
        guard let context, !closing else { return }
        let due = lastProgress + idleTimeout
        if NIODeadline.now() >= due {
            closing = true
            context.close(promise: nil)
        } else {
            scheduleIdleCheck(at: due)
        }
    }
}
