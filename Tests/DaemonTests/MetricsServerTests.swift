#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Daemon
import Foundation
import Testing

/// `MetricsServer` over real TCP connections on 127.0.0.1.
@Suite struct MetricsServerTests {
    private func withServer(limits: MetricsServerLimits = MetricsServerLimits(),
                            _ body: (MetricsServer, DaemonMetrics) throws -> Void) throws {
        let metrics = DaemonMetrics()
        let server = try MetricsServer(listen: "127.0.0.1:0", metrics: metrics, limits: limits)
        defer { server.close() }
        try body(server, metrics)
    }

    @Test func getMetricsServesTheExposition() throws {
        try withServer { server, metrics in
            #expect(server.boundPort > 0)
            metrics.update(from: [StreamStatus(name: "a", url: "x", state: .running, vocabulary: "coco", framesDecoded: 10)])
            let response = try HTTPExchange(port: server.boundPort, request: "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            #expect(response.status == 200)
            #expect(response.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8")
            #expect(response.headers["content-length"] == String(response.body.utf8.count))
            #expect(response.body.contains("\nsegd_frames_decoded_total{stream=\"a\"} 10\n")
                    || response.body.hasPrefix("segd_frames_decoded_total{stream=\"a\"} 10\n"))
            #expect(response.body.contains("# TYPE segd_frames_decoded_total counter\n"))
        }
    }

    @Test func healthzNotFoundAndMethodNotAllowed() throws {
        try withServer { server, _ in
            let port = server.boundPort
            let health = try HTTPExchange(port: port, request: "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            #expect(health.status == 200)
            #expect(health.body == "ok\n")
            let missing = try HTTPExchange(port: port, request: "GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            #expect(missing.status == 404)
            let post = try HTTPExchange(port: port, request: "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi")
            #expect(post.status == 405)
            #expect(post.headers["allow"] == "GET")
            let query = try HTTPExchange(port: port, request: "GET /metrics?x=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            #expect(query.status == 200)
        }
    }

    @Test func keepAliveServesSeveralRequestsOnOneConnection() throws {
        try withServer { server, _ in
            let request = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
            let last = "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
            let raw = try HTTPExchange.raw(port: server.boundPort, request: request + request + last)
            #expect(raw.components(separatedBy: "HTTP/1.1 200 OK").count - 1 == 3)
        }
    }

    @Test func oversizedBodiesAndMalformedRequestsAreRefused() throws {
        try withServer(limits: MetricsServerLimits(maxBodyBytes: 100)) { server, _ in
            let body = String(repeating: "b", count: 1000)
            let big = try HTTPExchange(port: server.boundPort,
                                       request: "GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n" + body)
            #expect(big.status == 413)
            let garbage = try HTTPExchange(port: server.boundPort, request: "\u{1}\u{2} nonsense\r\n\r\n")
            #expect(garbage.status == 400)
            let hugeHeader = "GET /metrics HTTP/1.1\r\nX-Big: " + String(repeating: "h", count: 200_000) + "\r\n\r\n"
            let huge = try HTTPExchange(port: server.boundPort, request: hugeHeader)
            #expect(huge.status == 400 || huge.status == 431 || huge.status == 0)
            let health = try HTTPExchange(port: server.boundPort, request: "GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n")
            #expect(health.status == 200)
        }
    }

    @Test func connectionsOverTheLimitGet503() throws {
        try withServer(limits: MetricsServerLimits(maxConnections: 2)) { server, _ in
            let held = try (0..<2).map { _ in try TCPSocket(port: server.boundPort) }
            // Let the server accept the held ones first.
            Thread.sleep(forTimeInterval: 0.2)
            let refused = try HTTPExchange(port: server.boundPort, request: "GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n")
            #expect(refused.status == 503)
            for socket in held { socket.close() }
            Thread.sleep(forTimeInterval: 0.2)
            let accepted = try HTTPExchange(port: server.boundPort, request: "GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n")
            #expect(accepted.status == 200)
        }
    }

    @Test func idleConnectionsAreClosed() throws {
        try withServer(limits: MetricsServerLimits(idleTimeout: 0.3)) { server, _ in
            let socket = try TCPSocket(port: server.boundPort)
            socket.send("GET /metr")
            let started = Date()
            #expect(socket.waitUntilClosed(timeout: 60), "the server closes an idle connection")
            let elapsed = Date().timeIntervalSince(started)
            #expect(elapsed >= 0.2, "closed after \(elapsed) s: before the 0.3 s idle timeout")
        }
    }

    @Test func invalidListenAddressesAreReported() {
        let metrics = DaemonMetrics()
        #expect(throws: MetricsServerError.self) { try MetricsServer(listen: "9464", metrics: metrics) }
        #expect(throws: MetricsServerError.self) { try MetricsServer(listen: "127.0.0.1:99999", metrics: metrics) }
        #expect(throws: MetricsServerError.self) { try MetricsServer(listen: "::1:9464", metrics: metrics) }
        #expect(MetricsServerError.invalidListen("9464", reason: "r").description == "invalid metrics listen address \"9464\": r")
    }

    @Test func aBusyPortIsReported() throws {
        try withServer { server, metrics in
            #expect(throws: MetricsServerError.self) {
                try MetricsServer(listen: "127.0.0.1:\(server.boundPort)", metrics: metrics)
            }
        }
    }

    @Test func bracketedIPv6AndEmptyHostParse() throws {
        let metrics = DaemonMetrics()
        let any = try MetricsServer(listen: ":0", metrics: metrics)
        #expect(any.boundPort > 0)
        let health = try HTTPExchange(port: any.boundPort, request: "GET /healthz HTTP/1.0\r\n\r\n")
        #expect(health.status == 200)
        any.close()
        if let v6 = try? MetricsServer(listen: "[::1]:0", metrics: metrics) {
            #expect(v6.boundPort > 0)
            v6.close()
        }
    }
}

/// One HTTP exchange over a fresh TCP connection to 127.0.0.1: sends `request` verbatim, reads
/// until the server closes, and parses the first response.
struct HTTPExchange {
    var status: Int
    var headers: [String: String]
    var body: String

    init(port: Int, request: String) throws {
        let text = try Self.raw(port: port, request: request)
        guard let split = text.range(of: "\r\n\r\n") else {
            status = 0
            headers = [:]
            body = text
            return
        }
        let head = text[..<split.lowerBound].components(separatedBy: "\r\n")
        let statusLine = head.first?.split(separator: " ") ?? []
        status = statusLine.count > 1 ? Int(statusLine[1]) ?? 0 : 0
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        self.headers = headers
        body = String(text[split.upperBound...])
    }

    static func raw(port: Int, request: String) throws -> String {
        let socket = try TCPSocket(port: port)
        socket.send(request)
        return socket.readAll(timeout: 10)
    }
}

/// A blocking TCP client socket to 127.0.0.1.
final class TCPSocket {
    private var fd: Int32

    init(port: Int) throws {
        #if canImport(Glibc)
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let fd = self.fd
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else { throw RawSocketError("connect to 127.0.0.1:\(port): \(errno)") }
    }

    deinit { close() }

    func close() {
        if fd >= 0 {
            #if canImport(Glibc)
            _ = Glibc.close(fd)
            #else
            _ = Darwin.close(fd)
            #endif
        }
        fd = -1
    }

    func send(_ text: String) {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            #if canImport(Glibc)
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            #else
            let n = bytes.withUnsafeBytes { Darwin.send(fd, $0.baseAddress! + offset, $0.count - offset, 0) }
            #endif
            if n <= 0 { return }
            offset += n
        }
    }

    /// Everything received until the server closes (or resets), or `timeout` passes.
    func readAll(timeout: Double) -> String {
        String(decoding: read(timeout: timeout).received, as: UTF8.self)
    }

    /// Whether the server closes (or resets) the connection within `timeout` seconds.
    func waitUntilClosed(timeout: Double) -> Bool {
        read(timeout: timeout).closed
    }

    private func read(timeout: Double) -> (received: [UInt8], closed: Bool) {
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let left = deadline.timeIntervalSinceNow
            guard left > 0 else { return (received, false) }
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, Int32(left * 1000)) > 0 else { return (received, false) }
            let fd = self.fd
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { return (received, true) }
            received.append(contentsOf: chunk[0..<n])
        }
    }
}
