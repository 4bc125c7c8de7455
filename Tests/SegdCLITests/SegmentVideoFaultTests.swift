import Foundation
import LabelStream
import Media
import Testing
import TestSupport

/// `segd segment VIDEO` on inputs and disks that go wrong: timestamps that break, inputs that
/// hold nothing to segment, a disk that fills up, and a folder a killed run left behind.
@Suite struct SegmentVideoFaultTests {
    private static let tinyA = SegdProcess.fixtures.appendingPathComponent("fcclip/tiny-a").path

    private func scratch() throws -> String {
        let dir = NSTemporaryDirectory() + "segd-fault-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    private func segment(_ input: String, _ out: String, _ extra: [String] = []) throws -> SegdProcess.Result {
        try SegdProcess.run(["segment", input, "--model", Self.tinyA, "--vocab", "coco", "--out", out, "--threads", "1"] + extra)
    }

    private func lines(_ out: String) throws -> [String] {
        let text = try String(contentsOfFile: out + "/labels.jsonl", encoding: .utf8)
        #expect(text.isEmpty || text.hasSuffix("\n"), "labels.jsonl ends in the middle of a line")
        return text.split(separator: "\n").map(String.init)
    }

    /// Two MPEG-TS recordings of different sizes concatenated, both starting at the same pts:
    /// the records' and the overlay's pts keep increasing, and the first record after the
    /// break says so.
    @Test func concatenatedTransportStreams() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try TestMedia.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=96x64:rate=25", "-frames:v", "10",
                              "-c:v", "libx264", "-pix_fmt", "yuv420p", dir + "/a.ts"])
        try TestMedia.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=80x48:rate=25", "-frames:v", "8",
                              "-c:v", "libx264", "-pix_fmt", "yuv420p", dir + "/b.ts"])
        let joined = try Data(contentsOf: URL(fileURLWithPath: dir + "/a.ts")) + Data(contentsOf: URL(fileURLWithPath: dir + "/b.ts"))
        try joined.write(to: URL(fileURLWithPath: dir + "/c.ts"))
        let out = dir + "/out"
        let r = try segment(dir + "/c.ts", out, ["--overlay"])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = try lines(out)
        let records = try lines.map { try JSONDecoder().decode(FrameRecord.self, from: Data($0.utf8)) }
        #expect(records.count == 18)
        let pts = records.map(\.pts)
        #expect(zip(pts, pts.dropFirst()).allSatisfy { $0 < $1 }, "records' pts: \(pts)")
        #expect(records.map { $0.discontinuity == true } == (0..<18).map { $0 == 10 })
        #expect(lines[10].hasSuffix(#","discontinuity":true,"source_pts":0,"type":"frame","reuse":"full"}"#), "\(lines[10].suffix(60))")
        #expect(records[10].width == 80 && records[9].width == 96)
        let overlay = try TestMedia.framePTS(out + "/overlay.mp4")
        #expect(overlay.count == 18)
        #expect(zip(overlay, overlay.dropFirst()).allSatisfy { $1 - $0 > 0.03 }, "overlay pts: \(overlay)")
        #expect(r.stderr.contains("the timestamps jump from 0.360 s to 0.000 s"), "\(r.stderr)")
    }

    /// JPEG data in files named .png: nothing decodes, and the run says why and fails.
    @Test func jpegFramesNamedPNG() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for i in 0..<3 {
            try TestMedia.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=64x48", "-frames:v", "1", "-f", "mjpeg",
                                  dir + String(format: "/%06d.png", i)])
        }
        let r = try segment(dir + "/%06d.png", dir + "/out")
        #expect(r.status == 2, "\(r.stderr)")
        #expect(r.stderr.contains("error: nothing was segmented from \(dir)/%06d.png: no frame could be decoded"), "\(r.stderr)")
        #expect(r.stderr.contains("000000.png holds JPEG data, not PNG"), "\(r.stderr)")
    }

    @Test func zeroLengthFrames() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for i in 0..<3 { FileManager.default.createFile(atPath: dir + String(format: "/%06d.png", i), contents: Data()) }
        let r = try segment(dir + "/%06d.png", dir + "/out")
        #expect(r.status == 2, "\(r.stderr)")
        #expect(r.stderr.contains("nothing was segmented") && r.stderr.contains("000000.png is empty (0 bytes)"), "\(r.stderr)")
    }

    @Test func aSelectionPastTheEnd() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try TestMedia.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=64x48:rate=25", "-frames:v", "6", "-c:v", "mjpeg", dir + "/clip.avi"])
        let r = try segment(dir + "/clip.avi", dir + "/out", ["--frames", "100:200"])
        #expect(r.status == 2, "\(r.stderr)")
        #expect(r.stderr.contains("none of its 6 decoded frames matched the selection (frames 100…199)"), "\(r.stderr)")
        let help = try SegdProcess.run(["segment", "--help"])
        let words = help.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(words.contains("2 when the input ended without a single frame segmented"), "\(help.stdout)")
    }

    /// The disk fills up during a run with --overlay: one error, whole lines, a PNG for every
    /// line and none without, and an overlay that ffprobe reads without complaint.
    @Test func diskFullWithOverlay() throws {
        guard let disk = SmallDisk.mount(kilobytes: 400) else {
            print("SegmentVideoFaultTests: skipped: cannot mount a tmpfs here (needs root); disk full with --overlay was not run")
            return
        }
        defer { disk.unmount() }
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try TestMedia.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-frames:v", "150",
                              "-c:v", "libx264", "-pix_fmt", "yuv420p", dir + "/clip.mp4"])
        let out = disk.path + "/out"
        let r = try segment(dir + "/clip.mp4", out, ["--overlay"])
        #expect(r.status == 1, "\(r.stderr)")
        let errors = r.stderr.split(separator: "\n").filter { $0.contains("error:") }
        #expect(errors.count == 1 && errors[0].contains("the disk is full"), "\(r.stderr)")
        let records = try lines(out).map { try JSONDecoder().decode(FrameRecord.self, from: Data($0.utf8)) }
        #expect(!records.isEmpty && records.map(\.frame) == Array(0..<records.count))
        let pngs = Set(try FileManager.default.contentsOfDirectory(atPath: out + "/panoptic"))
        #expect(pngs == Set(records.map { String(format: "%06d.png", $0.frame) }))
        if FileManager.default.fileExists(atPath: out + "/overlay.mp4") {
            let probe = try TestMedia.probeFrames(out + "/overlay.mp4")
            #expect(probe.errors.isEmpty, "ffprobe: \(probe.errors)")
            #expect(probe.count <= records.count)
        }
    }

    /// A folder a killed run left (a PNG without its line, a torn last line): the next run in
    /// it says what it found and replaces it, leaving no PNG without a line.
    @Test func reusingAFolderAKilledRunLeft() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try TestMedia.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=64x48:rate=25", "-frames:v", "4", "-c:v", "mjpeg", dir + "/clip.avi"])
        let out = dir + "/out"
        #expect(try segment(dir + "/clip.avi", out).status == 0)
        try FileManager.default.copyItem(atPath: out + "/panoptic/000000.png", toPath: out + "/panoptic/000007.png")
        let handle = try #require(FileHandle(forWritingAtPath: out + "/labels.jsonl"))
        handle.seekToEndOfFile()
        handle.write(Data(#"{"stream":"clip","frame":7,"pts":0.2"#.utf8))
        handle.closeFile()
        let r = try segment(dir + "/clip.avi", out, ["--frames", "0:2"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("warning: \(out): replacing an earlier run's outputs (4 lines"), "\(r.stderr)")
        #expect(r.stderr.contains("removed 1 PNG without a line in labels.jsonl (panoptic/000007.png)"), "\(r.stderr)")
        #expect(r.stderr.contains("cut a torn last line"), "\(r.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: out + "/panoptic").sorted() == ["000000.png", "000001.png"])
        #expect(try lines(out).count == 2)
    }
}
