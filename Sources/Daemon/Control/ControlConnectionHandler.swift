import NIOCore

/// One control connection: splits the input into lines, answers each with one JSON line, and
/// keeps every buffer bounded.
///
/// - The channel runs with auto-read off: the handler asks for more input only while no request
///   is being carried out, no complete line is waiting and the channel is writable. A client
///   that pipelines requests without reading the responses therefore stops being read once the
///   responses it has not read exceed `maxPendingResponseBytes`, and is then closed by the idle
///   timeout; buffered input never exceeds one line plus one read.
/// - A line longer than `maxLineBytes` gets an error response, then the connection is closed.
/// - A line that is not a valid request gets `ok:false`; the connection stays usable.
/// - `ping` is answered on the event loop; other commands run on the `ControlExecutor`, and the
///   response is written back here.
/// - A connection that completes no request for `idleTimeout` seconds is closed.
/// - A client may half-close after its requests: they are answered, then the connection closes.
/// - When the server is full and this connection is the one idle the longest, the gate evicts
///   it for a newcomer: the client is told why, then the connection closes.
///
/// All state is confined to the channel's event loop.
final class ControlConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let executor: ControlExecutor
    private let limits: ControlServerLimits
    private let gate: ConnectionGate
    private let idleTimeout: TimeAmount

    private var context: ChannelHandlerContext?
    /// Received bytes not yet consumed as lines.
    private var input = ByteBuffer()
    /// A request is being carried out by the executor.
    private var inFlight = false
    /// The client half-closed; answer what is buffered, then close.
    private var inputClosed = false
    /// Closing (or closed): nothing more is read or answered.
    private var closing = false
    /// When the connection last completed a request or received a response.
    private var lastProgress = NIODeadline.now()
    private var idleCheck: Scheduled<Void>?
    private var lastWrite: EventLoopFuture<Void>?

    /// How long a connection that is being closed may take to flush its last response.
    static let closeGrace: TimeAmount = .seconds(2)

    init(executor: ControlExecutor, limits: ControlServerLimits, gate: ConnectionGate) {
        self.executor = executor
        self.limits = limits
        self.gate = gate
        self.idleTimeout = .nanoseconds(Int64(limits.idleTimeout * 1e9))
    }

    // MARK: Channel events

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        input = context.channel.allocator.buffer(capacity: 1024)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        idleCheck?.cancel()
        idleCheck = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        lastProgress = .now()
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        let loop = context.eventLoop
        let capacity = limits.maxConnections
        gate.onEviction(of: context.channel) {
            loop.execute {
                let handler = bound.value
                handler.respond(.failure("closing this idle connection to make room for a new one (\(capacity) connections open)"))
                handler.closeAfterLastWrite()
            }
        }
        scheduleIdleCheck(at: lastProgress + idleTimeout)
        context.fireChannelActive()
        pump()
    }

    func channelInactive(context: ChannelHandlerContext) {
        closing = true
        idleCheck?.cancel()
        idleCheck = nil
        input.clear()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !closing else { return }
        var bytes = unwrapInboundIn(data)
        if input.readerIndex > 0 { input.discardReadBytes() }
        input.writeBuffer(&bytes)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        pump()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed {
            inputClosed = true
            pump()
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { pump() }
        context.fireChannelWritabilityChanged()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        closing = true
        context.close(promise: nil)
    }

    // MARK: Requests

    /// Answers complete lines while the channel is writable and no request is in flight; asks
    /// for more input when no complete line is left.
    private func pump() {
        guard let context else { return }
        while !closing && !inFlight && context.channel.isWritable {
            if let newline = input.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) {
                let length = newline - input.readerIndex
                guard length <= limits.maxLineBytes else { return refuseLongLine() }
                let line = input.readSlice(length: length)!
                input.moveReaderIndex(forwardBy: 1)
                handle(line)
                continue
            }
            guard input.readableBytes <= limits.maxLineBytes else { return refuseLongLine() }
            if inputClosed {
                if input.readableBytes > 0 {
                    // The last request, without its newline.
                    handle(input.readSlice(length: input.readableBytes)!)
                    continue
                }
                return closeAfterLastWrite()
            }
            context.read()
            return
        }
    }

    /// Answers one line: a parse error and `ping` at once, other commands through the executor.
    private func handle(_ line: ByteBuffer) {
        guard let context else { return }
        var bytes = line.readableBytesView
        while let last = bytes.last, last == UInt8(ascii: "\r") || last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") {
            bytes = bytes.dropLast()
        }
        // Blank lines (a user pressing return in socat) are ignored.
        if bytes.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }) { return }
        lastProgress = .now()
        gate.noteActivity(of: context.channel, busy: false)

        let request: ControlRequest
        do {
            request = try ControlRequest.parse(bytes)
        } catch {
            return respond(.failure(error.description))
        }
        if request.command == .ping { return respond(.success("pong")) }

        inFlight = true
        gate.noteActivity(of: context.channel, busy: true)
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        executor.submit(request, on: context.eventLoop).whenSuccess { response in
            let handler = bound.value
            handler.inFlight = false
            handler.lastProgress = .now()
            if let channel = handler.context?.channel { handler.gate.noteActivity(of: channel, busy: false) }
            handler.respond(response)
            handler.pump()
        }
    }

    /// Writes `response` as one line.
    private func respond(_ response: ControlResponse) {
        guard let context, !closing else { return }
        let json = response.jsonLine()
        var buffer = context.channel.allocator.buffer(capacity: json.utf8.count + 1)
        buffer.writeString(json)
        buffer.writeInteger(UInt8(ascii: "\n"))
        let write = context.writeAndFlush(wrapOutboundOut(buffer))
        lastWrite = write
    }

    private func refuseLongLine() {
        respond(.failure("request line longer than \(limits.maxLineBytes) bytes: closing the connection"))
        closeAfterLastWrite()
    }

    /// Closes once the last response is written, or after `closeGrace` when the client does
    /// not read it.
    private func closeAfterLastWrite() {
        guard let context, !closing else { return }
        closing = true
        idleCheck?.cancel()
        idleCheck = nil
        let channel = context.channel
        if let lastWrite {
            lastWrite.whenComplete { _ in channel.close(promise: nil) }
            channel.eventLoop.scheduleTask(in: Self.closeGrace) { channel.close(promise: nil) }
        } else {
            context.close(promise: nil)
        }
    }

    // MARK: Idle timeout

    private func scheduleIdleCheck(at deadline: NIODeadline) {
        guard let context else { return }
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        idleCheck = context.eventLoop.scheduleTask(deadline: deadline) { bound.value.checkIdle() }
    }

    private func checkIdle() {
        idleCheck = nil
        guard let context, !closing else { return }
        let now = NIODeadline.now()
        if inFlight {
            // The daemon is working on this connection's request: not the client's fault.
            return scheduleIdleCheck(at: now + idleTimeout)
        }
        let due = lastProgress + idleTimeout
        guard now >= due else { return scheduleIdleCheck(at: due) }
        if context.channel.isWritable {
            respond(.failure("no complete request within \(limits.idleTimeout) s: closing the connection"))
            closeAfterLastWrite()
        } else {
            closing = true
            context.close(promise: nil)
        }
    }
}

/// Answers a connection over the server's connection limit with one error line, then closes it.
final class ControlRejectHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let message: String

    init(message: String) {
        self.message = message
    }

    func channelActive(context: ChannelHandlerContext) {
        let json = ControlResponse.failure(message).jsonLine()
        var buffer = context.channel.allocator.buffer(capacity: json.utf8.count + 1)
        buffer.writeString(json)
        buffer.writeInteger(UInt8(ascii: "\n"))
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(buffer)).whenComplete { _ in channel.close(promise: nil) }
        channel.eventLoop.scheduleTask(in: ControlConnectionHandler.closeGrace) { channel.close(promise: nil) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
