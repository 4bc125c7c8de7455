#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Testing
import LabelStream

@Suite(.serialized) struct LabelSocketHostileClientTests {
    /// Garbage senders, connect-and-leave clients and a crowd of idle clients do not disturb
    /// the publisher or a subscriber that reads.
    @Test func misbehavingClientsDoNotDisturbOthers() throws {
        let dir = try SocketTestSupport.makeDirectory()
        defer { SocketTestSupport.removeDirectory(dir) }
        let server = try LabelSocketServer(path: dir + "/s.sock")
        defer { server.close() }

        let fast = try BackgroundReader(path: server.path)
        #expect(SocketTestSupport.waitUntil { server.subscriberCount == 1 })
        let total = 600
        fast.start(limit: total)

        // 10 MB of garbage from one client, on its own thread.
        let garbageBytes = 10 << 20
        let garbage = SocketTestSupport.rawConnect(server.path)
        #expect(garbage >= 0)
        let garbageSent = LockedCounter()
        let garbageDone = DispatchSemaphore(value: 0)
        Thread {
            garbageSent.set(SocketTestSupport.sendGarbage(garbage, bytes: garbageBytes))
            garbageDone.signal()
        }.start()

        // 50 clients at once that never read, and 20 that leave at once.
        let idle = (0..<50).map { _ in SocketTestSupport.rawConnect(server.path) }
        #expect(idle.allSatisfy { $0 >= 0 })
        for _ in 0..<20 {
            let fd = SocketTestSupport.rawConnect(server.path)
            if fd >= 0 { _ = close(fd) }
        }

        for frame in 0..<total {
            server.publish(SocketTestSupport.record(frame: frame, payloadBytes: 1000))
            if frame % 32 == 31 || frame == total - 1 {
                #expect(SocketTestSupport.waitUntil(timeout: 30) { fast.count >= frame + 1 })
            }
        }
        #expect(fast.wait())
        #expect(fast.error == nil)
        #expect(fast.received.map(\.frame) == Array(0..<total))
        #expect(fast.received.allSatisfy { $0.droppedBefore == 0 })

        // The server read and discarded all the garbage.
        #expect(garbageDone.wait(timeout: .now() + 60) == .success)
        #expect(garbageSent.value == garbageBytes)

        // Those that left are removed once the server writes to them; so are the rest when
        // they close.
        for fd in idle { _ = close(fd) }
        _ = close(garbage)
        var frame = total
        let settled = SocketTestSupport.waitUntil(timeout: 20) {
            server.publish(SocketTestSupport.record(frame: frame))
            frame += 1
            return server.subscriberCount == 1
        }
        #expect(settled)
    }

    /// A subscriber that shuts down its sending side keeps receiving.
    @Test func halfClosedSubscriberKeepsReceiving() throws {
        let dir = try SocketTestSupport.makeDirectory()
        defer { SocketTestSupport.removeDirectory(dir) }
        let server = try LabelSocketServer(path: dir + "/s.sock")
        defer { server.close() }
        let fd = SocketTestSupport.rawConnect(server.path)
        #expect(fd >= 0)
        defer { _ = close(fd) }
        #expect(shutdown(fd, Int32(SHUT_WR)) == 0)
        #expect(SocketTestSupport.waitUntil { server.subscriberCount == 1 })
        usleep(50_000)  // let the server see the half-close first
        for frame in 0..<3 { server.publish(SocketTestSupport.record(frame: frame)) }
        server.close()

        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            bytes += chunk[0..<n]
        }
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n").map(String.init)
        #expect(lines == (0..<3).map { SocketTestSupport.record(frame: $0).jsonLine() })
    }
}

/// An Int shared between threads.
final class LockedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var stored = 0
    func set(_ v: Int) { lock.withLock { stored = v } }
    var value: Int { lock.withLock { stored } }
}
