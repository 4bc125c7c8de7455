import CLIP
import FCCLIP
import Foundation
import LabelStream
import Media
import Pipeline
import Testing

/// Change gating (`PipelineOptions.reuse`): a frame that barely changed since the last full
/// frame reuses its segmentation (`"keyframe": false, "reuse": "carried"`); a real change, a
/// vocabulary or timestamp break and the maximum interval each force the model to run.
@Suite struct ReuseGateTests {
    let vocabulary = try! Vocabulary.resolve("thing: cat; sky; dog")

    /// Runs `clip` through the pipeline with `reuse`; the records and the model's call count.
    private func run(_ clip: String, reuse: ReuseOptions) throws -> (records: [FrameRecord], calls: Int, carried: Int) {
        let sink = CollectingSink()
        let segmenter = FakeSegmenter()
        var sourceOptions = VideoSourceOptions()
        sourceOptions.exportMotionVectors = true
        let source = try VideoSource(url: clip, options: sourceOptions)
        let report = VideoPipeline(source: source, segmenter: segmenter, vocabulary: VocabularyState(vocabulary),
                                   sinks: [sink], options: PipelineOptions(streamName: "s", reuse: reuse)).run()
        #expect(report.ending == .endOfStream)
        return (sink.records, segmenter.calls, report.statistics.carried)
    }

    /// A grey 160×120 picture with a little temporal noise, 10 fps, `seconds` long.
    private static func staticClip(_ name: String, seconds: Double = 3) throws -> String {
        let path = ClipMaker.folder.appendingPathComponent(name).path
        try ClipMaker.ffmpeg(["-f", "lavfi", "-i", "color=gray:size=160x120:rate=10", "-t", String(seconds),
                              "-vf", "noise=alls=4:allf=t", "-pix_fmt", "yuv420p", path])
        return path
    }

    @Test func aStaticClipReusesAlmostEveryFrame() throws {
        let clip = try Self.staticClip("static.mp4")
        let (records, calls, carried) = try run(clip, reuse: ReuseOptions(mode: .gate))
        #expect(records.count == 30)
        // Full frames: the first, and one when the 2 s maximum interval runs out (frame 20).
        #expect(calls == 2)
        #expect(carried == 28)
        #expect(records.map(\.reuse) == (0..<30).map { $0 == 0 || $0 == 20 ? "full" : "carried" })
        #expect(records.map(\.keyframe) == records.map { $0.reuse == "full" })
        // The tracker still runs on carried frames: ids and track ages continue.
        #expect(Set(records.map { $0.segments.map(\.id) }).count == 1)
        #expect(records.last?.segments.first?.trackAge == 29)
        let line = records[1].jsonLine()
        #expect(line.hasSuffix(#","type":"frame","reuse":"carried"}"#), "\(line.suffix(60))")
        #expect(line.contains(#""keyframe":false"#))
    }

    @Test func reuseOffRunsTheModelOnEveryFrame() throws {
        let clip = try Self.staticClip("static-off.mp4")
        let (records, calls, carried) = try run(clip, reuse: ReuseOptions(mode: .off))
        #expect(records.count == 30)
        #expect(calls == 30)
        #expect(carried == 0)
        #expect(records.allSatisfy { $0.keyframe && $0.reuse == nil })
        #expect(!records[1].jsonLine().contains("reuse"))
    }

    @Test func theMaximumIntervalInFramesForcesAFullFrame() throws {
        let clip = try Self.staticClip("static-interval.mp4")
        let (records, calls, _) = try run(clip, reuse: ReuseOptions(mode: .gate, maxIntervalFrames: 4))
        #expect(calls == 8)
        #expect(records.map(\.reuse) == (0..<30).map { $0 % 4 == 0 ? "full" : "carried" })
    }

    @Test func aMovingClipIsNeverCarried() throws {
        let path = ClipMaker.folder.appendingPathComponent("moving.mp4").path
        try ClipMaker.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=160x120:rate=10", "-t", "2", "-pix_fmt", "yuv420p", path])
        let (records, calls, carried) = try run(path, reuse: ReuseOptions(mode: .gate))
        #expect(records.count == 20)
        #expect(calls == 20)
        #expect(carried == 0)
        #expect(records.allSatisfy { $0.keyframe && $0.reuse == "full" })
    }

    /// The control: a still shot, a hard cut to another still shot. The first frame after the
    /// cut runs the model (and its segments are the new shot's), the rest of each shot is carried.
    @Test func aHardCutIsNeverCarriedAcross() throws {
        let path = ClipMaker.folder.appendingPathComponent("cut.mp4").path
        try ClipMaker.ffmpeg(["-f", "lavfi", "-i", "color=gray:size=160x120:rate=10:duration=1.5",
                              "-f", "lavfi", "-i", "color=0x303030:size=160x120:rate=10:duration=1.5",
                              "-filter_complex", "[0][1]concat=n=2:v=1,noise=alls=4:allf=t", "-pix_fmt", "yuv420p", path])
        let (records, calls, _) = try run(path, reuse: ReuseOptions(mode: .gate))
        #expect(records.count == 30)
        #expect(calls == 2)
        #expect(records.map(\.reuse) == (0..<30).map { $0 == 0 || $0 == 15 ? "full" : "carried" })
        // The carried frames of each shot have that shot's full frame's segments.
        let category = { (i: Int) in records[i].segments.first?.category }
        #expect((1..<15).allSatisfy { category($0) == category(0) })
        #expect((16..<30).allSatisfy { category($0) == category(15) })
    }
}

/// Clips made with the ffmpeg command-line tool, in a folder of their own per test run.
enum ClipMaker {
    static let folder: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("segd-reuse-\(getpid())")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Runs `ffmpeg -v error -nostdin -y ARGS`.
    static func ffmpeg(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["ffmpeg", "-hide_banner", "-v", "error", "-nostdin", "-y"] + arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "ffmpeg \(arguments.joined(separator: " ")): \(String(decoding: message, as: UTF8.self))")
        }
    }
}
