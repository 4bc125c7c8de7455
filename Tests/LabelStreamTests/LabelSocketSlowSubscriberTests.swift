import Foundation
import Testing
import LabelStream

@Suite(.serialized) struct LabelSocketSlowSubscriberTests {
    /// A subscriber that does not read loses its oldest pending records, is told exactly how
    /// many before each gap, and gets the last record; the publisher never waits, and a
    /// subscriber that keeps up loses nothing.
    @Test func slowSubscriberLosesOldestRecordsAndIsToldHowMany() throws {
        let dir = try SocketTestSupport.makeDirectory()
        defer { SocketTestSupport.removeDirectory(dir) }
        let server = try LabelSocketServer(path: dir + "/s.sock")
        defer { server.close() }

        let total = 5000
        let slow = try LabelSocketClient(path: server.path, timeout: 30)
        let fast = try BackgroundReader(path: server.path)
        #expect(SocketTestSupport.waitUntil { server.subscriberCount == 2 })
        fast.start(limit: total)

        // ~2 KB lines: 10 MB in all, far more than the kernel buffer, NIO's water mark and
        // the 64-record backlog hold for the slow subscriber.
        let records = (0..<total).map { SocketTestSupport.record(frame: $0, payloadBytes: 2000) }
        // The slow subscriber reads nothing until every record is published: a publish that
        // waited for it would never return.
        for (i, record) in records.enumerated() {
            server.publish(record)
            // Pace on the fast reader only (never on the slow one), so that it stays well
            // within its backlog however the threads are scheduled.
            if i % 32 == 31 || i == total - 1 {
                #expect(SocketTestSupport.waitUntil(timeout: 30) { fast.count >= i + 1 })
            }
        }
        #expect(server.publishedCount == total)

        // Now the slow subscriber reads everything that was kept for it.
        var received: [FrameRecord] = []
        while let record = try slow.nextRecord() {
            received.append(record)
            if record.frame == total - 1 { break }
        }
        let frames = received.map(\.frame)
        #expect(zip(frames, frames.dropFirst()).allSatisfy { $0 < $1 })
        #expect(frames.last == total - 1)
        let droppedSum = received.reduce(0) { $0 + $1.droppedBefore }
        #expect(droppedSum + received.count == total)
        #expect(received.contains { $0.droppedBefore > 0 })
        // Each gap is exactly what the next record reports.
        var expectedFrame = 0
        for record in received {
            #expect(record.frame == expectedFrame + record.droppedBefore)
            expectedFrame = record.frame + 1
        }
        // Records other than the first after a gap are the shared line, unchanged.
        for record in received where record.droppedBefore == 0 {
            #expect(record == records[record.frame])
        }
        #expect(server.totalDropped == droppedSum)

        #expect(fast.wait())
        #expect(fast.error == nil)
        #expect(fast.received.map(\.frame) == Array(0..<total))
        #expect(fast.received.allSatisfy { $0.droppedBefore == 0 })
    }

    /// With a backlog of 1 record, a subscriber that reads nothing still ends with the last
    /// record, and the accounting stays exact.
    @Test func backlogOfOneKeepsTheNewestRecord() throws {
        let dir = try SocketTestSupport.makeDirectory()
        defer { SocketTestSupport.removeDirectory(dir) }
        let server = try LabelSocketServer(path: dir + "/s.sock", backlogRecords: 1)
        defer { server.close() }
        let slow = try LabelSocketClient(path: server.path, timeout: 30)
        #expect(SocketTestSupport.waitUntil { server.subscriberCount == 1 })
        let total = 1000
        for frame in 0..<total { server.publish(SocketTestSupport.record(frame: frame, payloadBytes: 4000)) }
        var received: [FrameRecord] = []
        while let record = try slow.nextRecord() {
            received.append(record)
            if record.frame == total - 1 { break }
        }
        #expect(received.last?.frame == total - 1)
        #expect(received.reduce(0) { $0 + $1.droppedBefore } + received.count == total)
        #expect(server.totalDropped + received.count == total)
    }
}
