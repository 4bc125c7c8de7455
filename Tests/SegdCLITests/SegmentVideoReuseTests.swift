import Foundation
import LabelStream
import Testing

/// `segd segment VIDEO --reuse off|gate`: gating is on by default, so a static camera reuses
/// the last full frame (`"keyframe": false, "reuse": "carried"`) and still writes every PNG;
/// `--reuse off` runs the model on every frame and writes no `reuse` key; bad values are refused.
@Suite struct SegmentVideoReuseTests {
    private static let tinyA = SegdProcess.fixtures.appendingPathComponent("fcclip/tiny-a").path

    private func scratch() throws -> String {
        let dir = NSTemporaryDirectory() + "segd-reuse-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    private func segment(_ input: String, _ out: String, _ extra: [String] = []) throws -> SegdProcess.Result {
        try SegdProcess.run(["segment", input, "--model", Self.tinyA, "--vocab", "coco", "--out", out, "--threads", "1"] + extra)
    }

    private func records(_ out: String) throws -> [FrameRecord] {
        try String(contentsOfFile: out + "/labels.jsonl", encoding: .utf8).split(separator: "\n")
            .map { try JSONDecoder().decode(FrameRecord.self, from: Data($0.utf8)) }
    }

    @Test func aStaticCameraIsCarriedByDefaultAndNotWithReuseOff() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let clip = dir + "/static.mp4"
        try TestMedia.ffmpeg(["-f", "lavfi", "-i", "color=gray:size=96x64:rate=10", "-t", "1.5",
                              "-vf", "noise=alls=4:allf=t", "-c:v", "libx264", "-pix_fmt", "yuv420p", clip])
        let r = try segment(clip, dir + "/gate")
        #expect(r.status == 0, "\(r.stderr)")
        let gated = try records(dir + "/gate")
        #expect(gated.count == 15)
        #expect(gated.map(\.reuse) == ["full"] + Array(repeating: "carried", count: 14))
        #expect(gated.map(\.keyframe) == [true] + Array(repeating: false, count: 14))
        #expect(r.stderr.contains("14 of 15 processed frames reused"), "\(r.stderr)")
        let pngs = try FileManager.default.contentsOfDirectory(atPath: dir + "/gate/panoptic").filter { $0.hasSuffix(".png") }
        #expect(pngs.count == 15)

        let off = try segment(clip, dir + "/off", ["--reuse", "off"])
        #expect(off.status == 0, "\(off.stderr)")
        let full = try records(dir + "/off")
        #expect(full.count == 15)
        #expect(full.allSatisfy { $0.keyframe && $0.reuse == nil })
        // A carried frame has the full frame's segments (ids from the tracker, same masks).
        #expect(gated[7].segments.map(\.rle) == gated[0].segments.map(\.rle))
    }

    @Test(arguments: [["--reuse", "sometimes"], ["--reuse-threshold", "-1"], ["--reuse-max-interval", "0"]])
    func badValuesAreRefused(_ flags: [String]) throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try segment(dir + "/none.mp4", dir + "/out", flags)
        #expect(r.status != 0)
        #expect(r.stderr.contains(flags[0]), "\(r.stderr)")
    }
}
