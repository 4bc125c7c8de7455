import Daemon
import Foundation
import Testing

/// Clients that misbehave on purpose: none may crash the server, block it, or make it buffer
/// without bound; the server keeps answering well-behaved clients.
@Suite struct ControlHostileClientTests {
    private func withServer(limits: ControlServerLimits,
                            _ body: (ControlServer, String) throws -> Void) throws {
        let path = try temporarySocketPath()
        defer { removeSocketDirectory(path) }
        let server = try ControlServer(path: path, control: FakeControl(), limits: limits)
        defer { server.close() }
        try body(server, path)
    }

    /// True when a fresh well-behaved client gets an answer.
    private func answers(_ path: String) -> Bool {
        (try? ControlClient(path: path, timeout: 5).send(.ping)) == .success("pong")
    }

    @Test func oversizedLineClosesTheConnection() throws {
        try withServer(limits: ControlServerLimits(maxLineBytes: 64 * 1024)) { _, path in
            let socket = try RawSocket(path: path, nonBlocking: true)
            let megabyte = [UInt8](repeating: UInt8(ascii: "a"), count: 1 << 20)
            // Sends until the server stops reading or closes; never a newline.
            var sent = 0
            let deadline = Date().addingTimeInterval(5)
            while sent < megabyte.count && Date() < deadline {
                let n = socket.send(Array(megabyte[sent...]))
                if n < 0 { break }
                sent += n
                if n == 0 { Thread.sleep(forTimeInterval: 0.01) }
            }
            #expect(socket.drainUntilClosed(timeout: 5))
            #expect(answers(path))
        }
    }

    @Test func oversizedLineGetsAnErrorBeforeTheClose() throws {
        try withServer(limits: ControlServerLimits(maxLineBytes: 1024)) { _, path in
            let socket = try RawSocket(path: path)
            // Within one read: the server sees the whole line, newline included.
            socket.send(String(repeating: "x", count: 2000) + "\n")
            #expect(socket.readLine() == #"{"ok":false,"error":"request line longer than 1024 bytes: closing the connection"}"#)
            #expect(socket.drainUntilClosed(timeout: 5))
            #expect(answers(path))
        }
    }

    @Test func garbageGetsAnErrorAndTheConnectionStaysUsable() throws {
        try withServer(limits: ControlServerLimits()) { _, path in
            let socket = try RawSocket(path: path)
            let garbage: [[UInt8]] = [
                Array("}{".utf8),
                [0xFF, 0xFE, 0x00, 0x80],
                Array(String(repeating: "[", count: 20_000).utf8),
                Array(#"{"command":"list","stream":{"a":[1,2,{"b":null}]}}"#.utf8),
                Array("null".utf8),
            ]
            for line in garbage {
                socket.send(line + [UInt8(ascii: "\n")])
                let response = try #require(socket.readLine())
                let decoded = try JSONDecoder().decode(ControlResponse.self, from: Data(response.utf8))
                #expect(!decoded.ok)
                #expect(decoded.error?.isEmpty == false)
            }
            socket.send("{\"command\":\"ping\"}\n")
            #expect(socket.readLine() == #"{"ok":true,"message":"pong"}"#)
        }
    }

    @Test func slowlorisIsClosedAfterTheIdleTimeout() throws {
        try withServer(limits: ControlServerLimits(idleTimeout: 0.5)) { _, path in
            let socket = try RawSocket(path: path)
            let started = Date()
            var closedAfter: Double?
            // One byte every 100 ms, never a newline, until the server closes (at most a minute).
            for _ in 0..<600 {
                if socket.send("{") < 0 || socket.waitReadable(timeout: 0.1) {
                    closedAfter = Date().timeIntervalSince(started)
                    break
                }
            }
            let closed = try #require(closedAfter)
            #expect(closed >= 0.4, "closed after \(closed) s: before the 0.5 s idle timeout")
            #expect(socket.readLine(timeout: 1)?.contains("no complete request within 0.5 s") == true)
            #expect(socket.drainUntilClosed(timeout: 3))
            #expect(answers(path))
        }
    }

    @Test func activeClientsAreNotTimedOut() throws {
        try withServer(limits: ControlServerLimits(idleTimeout: 0.5)) { _, path in
            let client = try ControlClient(path: path, timeout: 5)
            for _ in 0..<6 {
                Thread.sleep(forTimeInterval: 0.2)
                #expect(try client.send(.ping).ok)
            }
        }
    }

    @Test func connectionsOverTheLimitAreRefusedAndTheServerKeepsAnswering() throws {
        // Connections active within the last 30 s are never evicted: over the limit means refused.
        try withServer(limits: ControlServerLimits(maxConnections: 64, evictionIdle: 30)) { server, path in
            var sockets: [RawSocket] = []
            for _ in 0..<100 { sockets.append(try RawSocket(path: path)) }
            var answered = 0
            var refused = 0
            for socket in sockets {
                socket.send("{\"command\":\"ping\"}\n")
            }
            for socket in sockets {
                switch socket.readLine(timeout: 5) {
                case #"{"ok":true,"message":"pong"}"#: answered += 1
                case let line?: if line.contains("too many control connections") { refused += 1 }
                case nil: refused += 1
                }
            }
            #expect(answered == 64)
            #expect(refused == 36)
            // While 64 connections are held open, a newcomer is told why it is refused.
            let refusal = try ControlClient(path: path, timeout: 5).send(.ping)
            #expect(!refusal.ok)
            #expect(refusal.error == "too many control connections (64 open): try again later")
            for socket in sockets { socket.close() }
            let deadline = Date().addingTimeInterval(5)
            while server.connectionCount > 0 && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
            #expect(server.connectionCount == 0)
            #expect(answers(path))
        }
    }

    /// 200 idle connections cannot lock the administrator out: once they have been idle for
    /// `evictionIdle`, a newcomer closes the one idle the longest (which is told why) and is
    /// answered at once, long before the 10 s idle timeout.
    @Test func aFullServerEvictsItsLongestIdleConnectionForANewcomer() throws {
        try withServer(limits: ControlServerLimits(idleTimeout: 10, maxConnections: 64, evictionIdle: 0.3)) { server, path in
            var sockets: [RawSocket] = []
            for _ in 0..<200 { sockets.append(try RawSocket(path: path)) }
            let deadline = Date().addingTimeInterval(5)
            while server.connectionCount < 64 && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
            Thread.sleep(forTimeInterval: 0.5)
            // Answered within the client's 5 s timeout, so without waiting for the 10 s idle timeout.
            let answer = try ControlClient(path: path, timeout: 5).send(.ping)
            #expect(answer.ok && answer.message == "pong")
            // The evicted connection was the oldest admitted and heard why.
            let told = sockets.prefix(64).compactMap { $0.readLine(timeout: 0.2) }
            #expect(told.contains { $0.contains("to make room for a new one") }, "\(told)")
            #expect(server.connectionCount <= 64)
            for socket in sockets { socket.close() }
        }
    }

    @Test func clientThatNeverReadsCannotMakeTheServerBufferWithoutBound() throws {
        let limits = ControlServerLimits(idleTimeout: 1, maxPendingResponseBytes: 16 * 1024)
        try withServer(limits: limits) { server, path in
            let socket = try RawSocket(path: path, nonBlocking: true)
            let request = Array("{\"command\":\"list\"}\n".utf8)
            var sent = 0
            // 10k requests as fast as the server takes them (until the socket buffers are full);
            // never read a response.
            for _ in 0..<10_000 {
                guard socket.send(request) == request.count else { break }
                sent += 1
            }
            // Whether or not the socket buffers filled, the server answers others at once...
            #expect(answers(path))
            // ...and closes the stalled connection after its idle timeout.
            let deadline = Date().addingTimeInterval(10)
            while server.connectionCount > 0 && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
            #expect(server.connectionCount == 0)
            #expect(socket.drainUntilClosed(timeout: 5))
            // The server stopped reading it long before 10k requests (about 190 KB).
            #expect(sent > 0 && sent < 10_000)
            #expect(answers(path))
        }
    }

    @Test func closingTheServerWithClientsConnectedDoesNotHang() throws {
        let path = try temporarySocketPath()
        defer { removeSocketDirectory(path) }
        let server = try ControlServer(path: path, control: FakeControl())
        let idle = try RawSocket(path: path)
        let partial = try RawSocket(path: path)
        partial.send("{\"command\":")
        let client = try ControlClient(path: path, timeout: 5)
        #expect(try client.send(.ping).ok)
        server.close()
        #expect(idle.drainUntilClosed(timeout: 3))
        #expect(partial.drainUntilClosed(timeout: 3))
        #expect(!FileManager.default.fileExists(atPath: path))
    }
}
