import Foundation
import LabelStream
import Media
import Testing

/// `segd segment VIDEO`: the whole path from a real encoded file to labels.jsonl, PNGs and the
/// socket, run as the user runs it.
@Suite struct SegmentVideoTests {
    private static let tinyA = SegdProcess.fixtures.appendingPathComponent("fcclip/tiny-a").path

    private func scratch() throws -> String {
        let dir = NSTemporaryDirectory() + "segd-video-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    private func records(_ out: String) throws -> [FrameRecord] {
        let text = try String(contentsOfFile: out + "/labels.jsonl", encoding: .utf8)
        #expect(text.isEmpty || text.hasSuffix("\n"), "labels.jsonl ends in the middle of a line")
        return try text.split(separator: "\n").map { try JSONDecoder().decode(FrameRecord.self, from: Data($0.utf8)) }
    }

    /// Every frame of an H.264 MP4 gets a record with ffprobe's pts, a panoptic PNG, and RLE
    /// masks that decode to exactly the PNG's pixels.
    @Test func segmentsEveryFrameOfAnMP4() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let clip = dir + "/clip.mp4"
        try TestMedia.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=96x64:rate=25", "-frames:v", "12",
                              "-c:v", "libx264", "-pix_fmt", "yuv420p", clip])
        let out = dir + "/out"
        let r = try SegdProcess.run(["segment", clip, "--model", Self.tinyA, "--vocab", "coco", "--out", out,
                                     "--threads", "1", "--overlay"])
        #expect(r.status == 0, "\(r.stderr)")
        let records = try records(out)
        #expect(records.map(\.frame) == Array(0..<12))
        let probed = try TestMedia.framePTS(clip)
        #expect(probed.count == 12)
        for (record, pts) in zip(records, probed) { #expect(abs(record.pts - pts) < 1e-6) }
        #expect(records.allSatisfy { $0.stream == "clip" && $0.width == 96 && $0.height == 64 && $0.droppedBefore == 0 })
        for record in records {
            let png = try ImageDecoder.decode(path: out + String(format: "/panoptic/%06d.png", record.frame))
            let ids = PanopticPNG.ids(rgb: png.pixels)
            #expect(!record.segments.isEmpty)
            for segment in record.segments {
                let mask = try segment.rle.decoded().decode()
                #expect(zip(mask, ids).allSatisfy { ($0 == 1) == ($1 == Int32(segment.id)) }, "frame \(record.frame) segment \(segment.id)")
            }
        }
        #expect(try TestMedia.framePTS(out + "/overlay.mp4").count == 12)
        #expect(r.stderr.contains("12 frames decoded, 12 processed"))
    }

    @Test func everyNthFrameAndARange() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let clip = dir + "/clip.mkv"
        try TestMedia.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=64x48:rate=30", "-frames:v", "20", "-c:v", "mjpeg", clip])
        let out = dir + "/out"
        let r = try SegdProcess.run(["segment", clip, "--model", Self.tinyA, "--vocab", "thing: cat; sky", "--out", out,
                                     "--every", "3", "--frames", "2:15", "--task", "semantic"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try records(out).map(\.frame) == [2, 5, 8, 11, 14])
        let semantic = try FileManager.default.contentsOfDirectory(atPath: out + "/semantic").sorted()
        #expect(semantic == ["000002.png", "000005.png", "000008.png", "000011.png", "000014.png"])
        #expect(!FileManager.default.fileExists(atPath: out + "/panoptic"))
    }

    /// A file cut in half and a file with flipped bytes finish normally: what decodes is
    /// segmented, damage is counted, nothing crashes.
    @Test func damagedFilesFinishWithAnErrorCount() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let clip = dir + "/clip.ts"
        try TestMedia.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=96x64:rate=25", "-frames:v", "50",
                              "-c:v", "libx264", "-g", "10", "-pix_fmt", "yuv420p", clip])
        let bytes = try Data(contentsOf: URL(fileURLWithPath: clip))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: dir + "/cut.ts"))
        var flipped = bytes
        var state: UInt64 = 12345
        for _ in 0..<60 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let at = 2000 + Int(state >> 33) % (bytes.count - 4000)
            flipped[at] ^= 0xFF
        }
        try flipped.write(to: URL(fileURLWithPath: dir + "/flipped.ts"))

        let cut = try SegdProcess.run(["segment", dir + "/cut.ts", "--model", Self.tinyA, "--vocab", "coco", "--out", dir + "/o1"])
        #expect(cut.status == 0, "\(cut.stderr)")
        let cutRecords = try records(dir + "/o1")
        #expect(cutRecords.count > 5 && cutRecords.count < 50)
        // Frame numbers count decoded frames, damaged ones included: increasing, maybe with gaps.
        #expect(cutRecords.map(\.frame) == cutRecords.map(\.frame).sorted() && cutRecords.first?.frame == 0)

        let bad = try SegdProcess.run(["segment", dir + "/flipped.ts", "--model", Self.tinyA, "--vocab", "coco", "--out", dir + "/o2"])
        #expect(bad.status == 0, "\(bad.stderr)")
        #expect(try records(dir + "/o2").count > 10)
        let errors = bad.stderr.components(separatedBy: " decode errors").first?.split(separator: " ").last.flatMap { Int($0) }
        #expect((errors ?? 0) > 0, "\(bad.stderr)")
    }

    /// SIGINT in the middle: exit status 130, and every record written has its PNG and is a
    /// complete line (nothing processed is lost, nothing half-written).
    @Test func interruptWritesEverythingProcessed() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let clip = dir + "/long.mp4"
        try TestMedia.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=64x48:rate=30", "-frames:v", "3000",
                              "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", clip])
        let out = dir + "/out"
        let process = try SegdProcess.start(["segment", clip, "--model", Self.tinyA, "--vocab", "coco", "--out", out])
        try TestMedia.waitUntil(timeout: 120) { (try? self.lineCount(out + "/labels.jsonl")) ?? 0 >= 5 }
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        #expect(process.terminationStatus == 130)
        let records = try records(out)
        #expect(records.count >= 5 && records.count < 3000)
        #expect(records.map(\.frame) == Array(0..<records.count))
        let pngs = try FileManager.default.contentsOfDirectory(atPath: out + "/panoptic").filter { $0.hasSuffix(".png") }
        #expect(pngs.count == records.count)
    }

    /// --socket serves the same records as labels.jsonl to `segd tail`, which joins mid-stream
    /// and starts at the next frame.
    @Test func socketSubscribersGetTheSameRecords() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let clip = dir + "/long.mp4"
        try TestMedia.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=64x48:rate=30", "-frames:v", "3000",
                              "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", clip])
        let out = dir + "/out", socket = "/tmp/segd-\(UUID().uuidString.prefix(8)).sock"
        let process = try SegdProcess.start(["segment", clip, "--model", Self.tinyA, "--vocab", "coco", "--out", out,
                                             "--socket", socket])
        defer { if process.isRunning { process.terminate() } }
        try TestMedia.waitUntil(timeout: 120) { FileManager.default.fileExists(atPath: socket) }
        let tail = try SegdProcess.run(["tail", socket, "--count", "8"])
        #expect(tail.status == 0, "\(tail.stderr)")
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(process.terminationStatus == 143)
        #expect(!FileManager.default.fileExists(atPath: socket), "the socket file must be removed on exit")
        // The socket carries frame records and, after each, that frame's object events.
        let lines = tail.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 8)
        let frames = lines.filter { !$0.contains("\"type\":\"event\"") }
        let events = lines.filter { $0.contains("\"type\":\"event\"") }
        let onDisk = try String(contentsOfFile: out + "/labels.jsonl", encoding: .utf8).split(separator: "\n").map(String.init)
        let streamed = try frames.map { try JSONDecoder().decode(FrameRecord.self, from: Data($0.utf8)) }
        let first = try #require(streamed.first).frame
        #expect(streamed.map(\.frame) == Array(first..<(first + frames.count)))
        #expect(Array(onDisk[first..<(first + frames.count)]) == frames, "the socket and labels.jsonl must carry identical lines")
        let eventsOnDisk = Set(try String(contentsOfFile: out + "/events.jsonl", encoding: .utf8).split(separator: "\n").map(String.init))
        #expect(events.allSatisfy(eventsOnDisk.contains), "the socket and events.jsonl must carry identical events")
    }

    @Test func videoFlagsOnAStillImageAreRefused() throws {
        let image = SegdProcess.fixtures.appendingPathComponent("fcclip/tiny-a/image.png").path
        let r = try SegdProcess.run(["segment", image, "--model", Self.tinyA, "--vocab", "coco", "--out", "/tmp/unused", "--every", "2"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("--every applies to a video input"))
    }

    @Test func aMissingInputIsNamed() throws {
        let r = try SegdProcess.run(["segment", "/nonexistent/clip.mp4", "--model", Self.tinyA, "--vocab", "coco", "--out", "/tmp/unused"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("/nonexistent/clip.mp4: cannot open"))
    }

    private func lineCount(_ path: String) throws -> Int {
        try String(contentsOfFile: path, encoding: .utf8).filter { $0 == "\n" }.count
    }
}
