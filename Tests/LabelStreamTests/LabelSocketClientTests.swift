#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Testing
import CLIP
import FCCLIP
import LabelStream

@Suite(.serialized) struct LabelSocketClientTests {
    @Test func missingPathSaysSegdIsNotServing() throws {
        let dir = try SocketTestSupport.makeDirectory()
        defer { SocketTestSupport.removeDirectory(dir) }
        for path in [dir + "/none.sock", dir + "/no/such/dir.sock"] {
            let error = #expect(throws: LabelSocketError.self) { try LabelSocketClient(path: path) }
            #expect(error == .noSocket(path: path))
            #expect(error.map { String(describing: $0) } == "no segd socket at \(path): is segd running with --socket?")
        }
    }

    @Test func regularFileIsNotASocket() throws {
        let dir = try SocketTestSupport.makeDirectory()
        defer { SocketTestSupport.removeDirectory(dir) }
        let path = dir + "/file"
        #expect(FileManager.default.createFile(atPath: path, contents: Data()))
        #expect(throws: LabelSocketError.notListening(path: path)) { try LabelSocketClient(path: path) }
    }

    /// Lines split across reads and several lines in one read come out whole and in order.
    @Test func reassemblesLinesAcrossReads() throws {
        let dir = try SocketTestSupport.makeDirectory()
        defer { SocketTestSupport.removeDirectory(dir) }
        let path = dir + "/s.sock"
        let server = try RawServer(path: path) { fd in
            RawServer.send(fd, "{\"a\":")
            usleep(20_000)
            RawServer.send(fd, "1}\nsecond\nthi")
            usleep(20_000)
            RawServer.send(fd, "rd\n\n")
        }
        let client = try LabelSocketClient(path: path, timeout: 10)
        #expect(try client.nextLine() == "{\"a\":1}")
        #expect(try client.nextLine() == "second")
        #expect(try client.nextLine() == "third")
        #expect(try client.nextLine() == "")
        #expect(try client.nextLine() == nil)
        #expect(try client.nextLine() == nil)
        server.wait()
    }

    @Test func endOfStreamInsideALineIsAnError() throws {
        let dir = try SocketTestSupport.makeDirectory()
        defer { SocketTestSupport.removeDirectory(dir) }
        let path = dir + "/s.sock"
        let server = try RawServer(path: path) { fd in RawServer.send(fd, "whole\npart") }
        let client = try LabelSocketClient(path: path, timeout: 10)
        #expect(try client.nextLine() == "whole")
        #expect(throws: LabelSocketError.truncatedLine(path: path, bytes: 4)) { try client.nextLine() }
        server.wait()
    }

    @Test func invalidRecordAndTimeout() throws {
        let dir = try SocketTestSupport.makeDirectory()
        defer { SocketTestSupport.removeDirectory(dir) }
        let path = dir + "/s.sock"
        let server = try RawServer(path: path) { fd in
            RawServer.send(fd, "not json\n")
            usleep(1_000_000)
        }
        let client = try LabelSocketClient(path: path, timeout: 0.2)
        #expect(throws: LabelSocketError.self) { try client.nextRecord() }
        #expect(throws: LabelSocketError.timedOut(path: path, seconds: 0.2)) { try client.nextLine() }
        server.wait()
    }

    @Test func summaryLine() {
        var record = SocketTestSupport.record(frame: 12)
        record.pts = 49.36
        record.segments.append(record.segments[0])
        record.segments.append(SegmentRecord(id: 3, label: "floor", category: 1, isThing: false, score: 0.7,
                                             area: 5, bbox: [0, 0, 1, 1], rle: RLERecord(size: [48, 64], counts: "x")))
        #expect(record.summaryLine() == "frame 12  pts 49.36  3 segments: forklift x2, floor")
        record.droppedBefore = 4
        record.segments = []
        #expect(record.summaryLine() == "frame 12  pts 49.36  0 segments  (dropped 4 before)")
    }

    /// The sink publishes each output's record and closes its server on finish.
    @Test func sinkPublishesRecords() throws {
        let dir = try SocketTestSupport.makeDirectory()
        defer { SocketTestSupport.removeDirectory(dir) }
        let sink = try LabelSocketSink(path: dir + "/s.sock")
        let reader = try BackgroundReader(path: sink.server.path)
        #expect(SocketTestSupport.waitUntil { sink.server.subscriberCount == 1 })
        reader.start()
        let vocabulary = try Vocabulary(classes: [(synonyms: ["forklift"], isThing: true)])
        let image = try RGBImage(width: 1, height: 1, pixels: [0, 0, 0])
        for frame in 0..<3 {
            try sink.write(FrameOutput(record: SocketTestSupport.record(frame: frame),
                                       segmentation: Segmentation(height: 1, width: 1, classCount: 1),
                                       image: image, vocabulary: vocabulary))
        }
        try sink.finish()
        #expect(reader.wait())
        #expect(reader.reachedEnd)
        #expect(reader.received.map(\.frame) == [0, 1, 2])
        #expect(!FileManager.default.fileExists(atPath: sink.server.path))
    }
}

/// A minimal POSIX server accepting one connection and running `body` on it, then closing.
final class RawServer: @unchecked Sendable {
    private let listener: Int32
    private let done = DispatchSemaphore(value: 0)

    init(path: String, body: @escaping @Sendable (Int32) -> Void) throws {
        #if canImport(Glibc)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_UNIX, SOCK_STREAM, 0)
        #endif
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard rc == 0, listen(fd, 4) == 0 else {
            _ = close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        listener = fd
        let done = self.done
        Thread {
            let conn = accept(fd, nil, nil)
            if conn >= 0 {
                body(conn)
                _ = close(conn)
            }
            done.signal()
        }.start()
    }

    /// Waits for the connection's body to finish and stops listening.
    func wait() {
        _ = done.wait(timeout: .now() + 10)
        _ = close(listener)
    }

    static func send(_ fd: Int32, _ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    }
}
