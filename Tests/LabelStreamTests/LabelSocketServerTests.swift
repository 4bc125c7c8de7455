#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Testing
import LabelStream

@Suite(.serialized) struct LabelSocketServerTests {
    @Test func clientReceivesPublishedRecordsInOrder() throws {
        let dir = try SocketTestSupport.makeDirectory()
        defer { SocketTestSupport.removeDirectory(dir) }
        let server = try LabelSocketServer(path: dir + "/s.sock")
        defer { server.close() }
        let client = try LabelSocketClient(path: server.path, timeout: 10)
        #expect(SocketTestSupport.waitUntil { server.subscriberCount == 1 })

        let sent = (0..<10).map { SocketTestSupport.record(frame: $0, payloadBytes: 100) }
        for record in sent { server.publish(record) }
        #expect(server.publishedCount == 10)

        var lines: [String] = []
        for _ in 0..<10 {
            guard let line = try client.nextLine() else { break }
            lines.append(line)
        }
        #expect(lines == sent.map { $0.jsonLine() })
        let decoded = try lines.map { try JSONDecoder().decode(FrameRecord.self, from: Data($0.utf8)) }
        #expect(decoded == sent)
        #expect(decoded.allSatisfy { $0.droppedBefore == 0 })
        #expect(server.totalDropped == 0)

        server.close()
        #expect(try client.nextLine() == nil)
    }

    @Test func everySubscriberGetsEverythingFromWhenItConnected() throws {
        let dir = try SocketTestSupport.makeDirectory()
        defer { SocketTestSupport.removeDirectory(dir) }
        let server = try LabelSocketServer(path: dir + "/s.sock")
        defer { server.close() }

        let early1 = try BackgroundReader(path: server.path)
        let early2 = try BackgroundReader(path: server.path)
        #expect(SocketTestSupport.waitUntil { server.subscriberCount == 2 })
        early1.start()
        early2.start()
        for frame in 1...5 { server.publish(SocketTestSupport.record(frame: frame)) }
        #expect(SocketTestSupport.waitUntil { early1.count == 5 && early2.count == 5 })

        let late = try BackgroundReader(path: server.path)
        #expect(SocketTestSupport.waitUntil { server.subscriberCount == 3 })
        late.start()
        for frame in 6...10 { server.publish(SocketTestSupport.record(frame: frame)) }

        server.close()
        for reader in [early1, early2, late] {
            #expect(reader.wait())
            #expect(reader.error == nil)
            #expect(reader.reachedEnd)
        }
        #expect(early1.received.map(\.frame) == Array(1...10))
        #expect(early2.received.map(\.frame) == Array(1...10))
        #expect(late.received.map(\.frame) == Array(6...10))
        #expect((early1.received + early2.received + late.received).allSatisfy { $0.droppedBefore == 0 })
    }

    @Test func socketFileModeAndRemoval() throws {
        let dir = try SocketTestSupport.makeDirectory()
        defer { SocketTestSupport.removeDirectory(dir) }
        let path = dir + "/s.sock"
        let server = try LabelSocketServer(path: path)
        var info = stat()
        #expect(lstat(path, &info) == 0)
        #expect((info.st_mode & S_IFMT) == S_IFSOCK)
        #expect(info.st_mode & 0o777 == 0o660)
        server.close()
        #expect(lstat(path, &info) != 0 && errno == ENOENT)
        server.close()  // idempotent
    }

    @Test func customModeIsApplied() throws {
        let dir = try SocketTestSupport.makeDirectory()
        defer { SocketTestSupport.removeDirectory(dir) }
        let server = try LabelSocketServer(path: dir + "/s.sock", mode: 0o600)
        defer { server.close() }
        var info = stat()
        #expect(lstat(server.path, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o600)
    }

    @Test func staleSocketFileIsReplaced() throws {
        let dir = try SocketTestSupport.makeDirectory()
        defer { SocketTestSupport.removeDirectory(dir) }
        let path = dir + "/s.sock"
        #expect(SocketTestSupport.makeStaleSocket(path))
        #expect(throws: LabelSocketError.notListening(path: path)) { try LabelSocketClient(path: path) }

        let server = try LabelSocketServer(path: path)
        defer { server.close() }
        let client = try LabelSocketClient(path: path, timeout: 10)
        #expect(SocketTestSupport.waitUntil { server.subscriberCount == 1 })
        server.publish(SocketTestSupport.record(frame: 7))
        #expect(try client.nextRecord()?.frame == 7)
    }

    @Test func liveServerOnThePathIsAnError() throws {
        let dir = try SocketTestSupport.makeDirectory()
        defer { SocketTestSupport.removeDirectory(dir) }
        let path = dir + "/s.sock"
        let server = try LabelSocketServer(path: path)
        defer { server.close() }
        #expect(throws: LabelSocketError.alreadyServing(path: path)) { try LabelSocketServer(path: path) }
        // The first server is untouched. (The second one's probe connected to it and left; it
        // counts as a subscriber until the first write to it fails, so count on records.)
        let reader = try BackgroundReader(path: path, timeout: 10)
        reader.start(limit: 1)
        var frame = 0
        #expect(SocketTestSupport.waitUntil {
            server.publish(SocketTestSupport.record(frame: frame))
            frame += 1
            return reader.count == 1
        })
        #expect(reader.wait())
        #expect(reader.error == nil)
        #expect(SocketTestSupport.waitUntil {
            server.publish(SocketTestSupport.record(frame: frame))
            frame += 1
            return server.subscriberCount == 1
        })
    }

    @Test func regularFileOnThePathIsAnError() throws {
        let dir = try SocketTestSupport.makeDirectory()
        defer { SocketTestSupport.removeDirectory(dir) }
        let path = dir + "/s.sock"
        #expect(FileManager.default.createFile(atPath: path, contents: Data("keep me".utf8)))
        let error = #expect(throws: LabelSocketError.self) { try LabelSocketServer(path: path) }
        #expect(error == .notASocket(path: path))
        #expect(error.map { String(describing: $0) }?.contains("not a socket") == true)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "keep me")
    }

    @Test func tooLongPathIsAnError() {
        let path = "/tmp/" + String(repeating: "x", count: 200) + ".sock"
        #expect(throws: LabelSocketError.self) { try LabelSocketServer(path: path) }
        #expect(throws: LabelSocketError.self) { try LabelSocketClient(path: path) }
    }

    @Test func closeDeliversThePendingBacklogBeforeEndOfStream() throws {
        let dir = try SocketTestSupport.makeDirectory()
        defer { SocketTestSupport.removeDirectory(dir) }
        let server = try LabelSocketServer(path: dir + "/s.sock")
        let reader = try BackgroundReader(path: server.path)
        #expect(SocketTestSupport.waitUntil { server.subscriberCount == 1 })
        // 40 records of 20 KB: more than the kernel buffer and NIO's high water mark hold,
        // fewer than those plus the backlog, so records are pending when close() starts.
        for frame in 0..<40 { server.publish(SocketTestSupport.record(frame: frame, payloadBytes: 20_000)) }
        reader.start()
        server.close(drainTimeout: 10)
        #expect(reader.wait())
        #expect(reader.error == nil)
        #expect(reader.reachedEnd)
        #expect(reader.received.map(\.frame) == Array(0..<40))
        #expect(server.totalDropped == 0)
    }

    @Test func closeGivesUpOnAClientThatNeverReads() throws {
        let dir = try SocketTestSupport.makeDirectory()
        defer { SocketTestSupport.removeDirectory(dir) }
        let server = try LabelSocketServer(path: dir + "/s.sock")
        let idle = try LabelSocketClient(path: server.path, timeout: 10)
        #expect(SocketTestSupport.waitUntil { server.subscriberCount == 1 })
        for frame in 0..<200 { server.publish(SocketTestSupport.record(frame: frame, payloadBytes: 20_000)) }
        server.close(drainTimeout: 0.3)
        #expect(server.subscriberCount == 0)
        // It gave up on the client: what the socket buffers held arrives, then the end of the
        // stream (not the client's own timeout), long before all 4 MB.
        var delivered = 0
        var ending: (any Error)?
        do {
            while try idle.nextRecord() != nil { delivered += 1 }
        } catch {
            ending = error
        }
        #expect(delivered < 200, "close waited until the client had read every record")
        if case .timedOut? = ending as? LabelSocketError { Issue.record("the server did not close the connection") }
    }

    /// A server released without `close()` shuts down and removes its socket file.
    @Test func deinitClosesTheServer() throws {
        let dir = try SocketTestSupport.makeDirectory()
        defer { SocketTestSupport.removeDirectory(dir) }
        let path = dir + "/s.sock"
        var server: LabelSocketServer? = try LabelSocketServer(path: path)
        let client = try LabelSocketClient(path: path, timeout: 10)
        #expect(SocketTestSupport.waitUntil { server?.subscriberCount == 1 })
        server?.publish(SocketTestSupport.record(frame: 0))
        server = nil
        #expect(!FileManager.default.fileExists(atPath: path))
        // The connection ends (possibly before the record got out: no drain on deinit).
        while let record = try client.nextRecord() { #expect(record.frame == 0) }
    }

    @Test func publishAfterCloseIsIgnored() throws {
        let dir = try SocketTestSupport.makeDirectory()
        defer { SocketTestSupport.removeDirectory(dir) }
        let server = try LabelSocketServer(path: dir + "/s.sock")
        server.publish(SocketTestSupport.record(frame: 0))
        server.close()
        server.publish(SocketTestSupport.record(frame: 1))
        #expect(server.publishedCount == 1)
    }
}
