import Foundation
import Testing
import CLIP
import FCCLIP
import LabelStream
import Media

/// Frames for the disk sink: small hand-made panoptic segmentations of a moving scene.
enum DiskSinkFixtures {
    /// Frame `t` of a `width × height` scene: floor (id 1, stuff) everywhere, a 4×3 forklift
    /// (id 2) moving right by one pixel per frame, a person (id 513 = RGB (1, 2, 0)) on odd
    /// frames, and a void column at the right edge.
    static func output(frame t: Int, pts: Double, width: Int = 24, height: Int = 16,
                       vocabulary: Vocabulary) -> FrameOutput {
        var ids = [Int32](repeating: 1, count: width * height)
        for y in 0..<height { ids[y * width + width - 1] = 0 }
        for y in 2..<5 { for x in (1 + t)..<(5 + t) where x < width - 1 { ids[y * width + x] = 2 } }
        var segments = [
            Segment(id: 1, category: 1, isThing: false, score: 0.75, query: 0, area: 0),
            Segment(id: 2, category: 0, isThing: true, score: 0.5, query: 1, area: 0),
        ]
        if t % 2 == 1 {
            for y in (height - 5)..<(height - 1) { for x in 2..<4 { ids[y * width + x] = 513 } }
            segments.append(Segment(id: 513, category: 2, isThing: true, score: 0.25, query: 2, area: 0))
        }
        for i in segments.indices { segments[i].area = ids.filter { $0 == segments[i].id }.count }
        let segmentation = Segmentation(height: height, width: width, classCount: vocabulary.classes.count,
                                        panoptic: PanopticSegmentation(ids: ids, segments: segments))
        let record = FrameRecord(segmentation: segmentation, vocabulary: vocabulary,
                                 metadata: FrameMetadata(stream: "dock-cam", frame: t, pts: pts, vocabVersion: 2))
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height { for x in 0..<width {
            let o = (y * width + x) * 3
            pixels[o] = UInt8(x * 255 / width); pixels[o + 1] = UInt8(y * 255 / height); pixels[o + 2] = UInt8(40 * t % 256)
        } }
        let image = try! RGBImage(width: width, height: height, pixels: pixels)
        return FrameOutput(record: record, segmentation: segmentation, image: image, vocabulary: vocabulary)
    }

    /// Exactly representable in the line's 6-decimal pts, so records compare equal after a round trip.
    static let pts: [Double] = [0, 0.04, 0.1, 0.5, 0.54]

    static func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "/segd-disksink-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}

/// ffprobe and ffmpeg, to read overlay.mp4 independently of segd.
enum DiskSinkProbe {
    /// Every frame of `path` as packed RGB24 (`width × height`), decoded by the ffmpeg CLI.
    static func rgbFrames(_ path: String, width: Int, height: Int) throws -> [[UInt8]] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["ffmpeg", "-v", "error", "-nostdin", "-i", path, "-fps_mode", "passthrough",
                             "-f", "rawvideo", "-pix_fmt", "rgb24", "-"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let bytes = [UInt8](out.fileHandleForReading.readDataToEndOfFile())
        process.waitUntilExit()
        let size = width * height * 3
        return stride(from: 0, to: bytes.count - size + 1, by: size).map { Array(bytes[$0..<($0 + size)]) }
    }

    /// Mean squared difference of two equally long byte arrays.
    static func meanSquaredError(_ a: [UInt8], _ b: [UInt8]) -> Double {
        zip(a, b).reduce(0.0) { $0 + (Double($1.0) - Double($1.1)) * (Double($1.0) - Double($1.1)) } / Double(max(1, a.count))
    }

    static func frameTimes(_ path: String) throws -> [Double] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                             "frame=best_effort_timestamp_time", "-of", "csv=p=0", path]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw MediaError.decodeFailed(path: path, reason: "ffprobe failed (\(process.terminationStatus)); is ffmpeg installed?")
        }
        return String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).compactMap { line in
            line.split(separator: ",").compactMap { Double($0) }.first
        }
    }
}

@Suite struct DiskSinkTests {
    @Test func writesLabelsPNGsAndOverlay() throws {
        let vocabulary = try RecordFixtures.vocabulary()
        let dir = try DiskSinkFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var options = DiskSinkOptions()
        options.semantic = true
        options.overlay = true
        options.syncInterval = 0
        let sink = try DiskSink(directory: dir + "/out/", options: options)
        #expect(sink.labelsPath == dir + "/out/labels.jsonl")
        let outputs = DiskSinkFixtures.pts.enumerated().map {
            DiskSinkFixtures.output(frame: $0.offset, pts: $0.element, vocabulary: vocabulary)
        }
        for output in outputs { try sink.write(output) }
        try sink.finish()
        try sink.finish()  // idempotent
        #expect(sink.framesWritten == 5)
        #expect(throws: MediaError.self) { try sink.write(outputs[0]) }

        // labels.jsonl: five complete lines, decoding to the same records in order.
        let data = try #require(FileManager.default.contents(atPath: sink.labelsPath))
        #expect(data.last == UInt8(ascii: "\n"))
        let lines = data.split(separator: UInt8(ascii: "\n"))
        #expect(lines.count == 5)
        let records = try lines.map { try JSONDecoder().decode(FrameRecord.self, from: Data($0)) }
        #expect(records == outputs.map(\.record))
        #expect(lines.map { String(decoding: $0, as: UTF8.self) } == outputs.map { $0.record.jsonLine() })

        for (output, record) in zip(outputs, records) {
            let (w, h) = (record.width, record.height)
            // The panoptic PNG and the record's RLE masks agree pixel for pixel.
            let png = try ImageDecoder.decode(path: sink.pngPath("panoptic", frame: record.frame))
            #expect(png.width == w && png.height == h)
            let pngIDs = PanopticPNG.ids(rgb: png.pixels)
            var fromRLE = [Int32](repeating: 0, count: w * h)
            for segment in record.segments {
                let mask = try segment.rle.decoded().decode()
                for i in mask.indices where mask[i] == 1 {
                    #expect(fromRLE[i] == 0, "segments overlap at pixel \(i)")
                    fromRLE[i] = Int32(segment.id)
                }
            }
            #expect(pngIDs == fromRLE)
            #expect(pngIDs == output.segmentation.panoptic!.ids)
            #expect(pngIDs.contains(513) == (record.frame % 2 == 1))

            // Semantic PNG: the class of each pixel's segment, 255 = void.
            let semantic = try ImageDecoder.decode(path: sink.pngPath("semantic", frame: record.frame))
            let category = Dictionary(uniqueKeysWithValues: record.segments.map { (Int32($0.id), UInt8($0.category)) })
            let expected = pngIDs.map { $0 == 0 ? UInt8(255) : category[$0]! }
            #expect((0..<(w * h)).map { semantic.pixels[3 * $0] } == expected)
        }

        // overlay.mp4: five frames at the records' pts.
        let times = try DiskSinkProbe.frameTimes(sink.overlayPath)
        #expect(times.count == 5)
        for (got, want) in zip(times, DiskSinkFixtures.pts) { #expect(abs(got - want) <= 1.0 / 90000 + 1e-6) }
        // Its pictures are the overlays (closer to Overlay.render's output than to the source).
        let decoded = try DiskSinkProbe.rgbFrames(sink.overlayPath, width: 24, height: 16)
        #expect(decoded.count == 5)
        for (output, picture) in zip(outputs, decoded) {
            let overlay = Overlay.render(image: output.image, segmentation: output.segmentation, vocabulary: vocabulary)
            let toOverlay = DiskSinkProbe.meanSquaredError(overlay.pixels, picture)
            let toSource = DiskSinkProbe.meanSquaredError(output.image.pixels, picture)
            #expect(toOverlay < toSource / 2, "MSE to overlay \(toOverlay), to source \(toSource)")
        }
    }

    @Test func fileNamesAndDefaults() throws {
        let vocabulary = try RecordFixtures.vocabulary()
        let dir = try DiskSinkFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // An old labels.jsonl is replaced, not appended to.
        try Data("old line\n".utf8).write(to: URL(fileURLWithPath: dir + "/labels.jsonl"))
        let sink = try DiskSink(directory: dir)
        try sink.write(DiskSinkFixtures.output(frame: 7, pts: 0.28, vocabulary: vocabulary))
        try sink.write(DiskSinkFixtures.output(frame: 1_234_567, pts: 49.36, vocabulary: vocabulary))
        // A frame without panoptic output: a line, no PNG.
        let empty = Segmentation(height: 16, width: 24, classCount: 3)
        let record = FrameRecord(segmentation: empty, vocabulary: vocabulary, metadata: FrameMetadata(stream: "s", frame: 1_234_568, pts: 50))
        let image = try RGBImage(width: 24, height: 16, pixels: [UInt8](repeating: 9, count: 24 * 16 * 3))
        try sink.write(FrameOutput(record: record, segmentation: empty, image: image, vocabulary: vocabulary))
        try sink.finish()

        let fm = FileManager.default
        #expect(try fm.contentsOfDirectory(atPath: dir + "/panoptic").sorted() == ["000007.png", "1234567.png"])
        #expect(!fm.fileExists(atPath: dir + "/semantic"))
        #expect(!fm.fileExists(atPath: sink.overlayPath))
        let text = String(decoding: try #require(fm.contents(atPath: sink.labelsPath)), as: UTF8.self)
        #expect(!text.contains("old line"))
        #expect(text.split(separator: "\n").count == 3)
        #expect(text.hasSuffix(#""segments":[],"type":"frame"}"# + "\n"))
    }

    /// Overlay frames of another size than the first are letterboxed into the first size.
    @Test func overlayKeepsTheFirstFrameSize() throws {
        let vocabulary = try RecordFixtures.vocabulary()
        let dir = try DiskSinkFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var options = DiskSinkOptions()
        options.panoptic = false
        options.overlay = true
        let sink = try DiskSink(directory: dir, options: options)
        try sink.write(DiskSinkFixtures.output(frame: 0, pts: 0, width: 25, height: 15, vocabulary: vocabulary))
        try sink.write(DiskSinkFixtures.output(frame: 1, pts: 0.04, width: 12, height: 16, vocabulary: vocabulary))
        try sink.write(DiskSinkFixtures.output(frame: 2, pts: 0.08, width: 50, height: 30, vocabulary: vocabulary))
        try sink.finish()
        #expect(!FileManager.default.fileExists(atPath: dir + "/panoptic"))
        #expect(try DiskSinkProbe.frameTimes(sink.overlayPath).count == 3)
        // The video is 25×15 (coded 26×16); the 12×16 frame became 11×15 centred at x = 7, with
        // black bars left and right.
        let frames = try DiskSinkProbe.rgbFrames(sink.overlayPath, width: 26, height: 16)
        #expect(frames.count == 3)
        if frames.count == 3 {
            func pixel(_ x: Int, _ y: Int) -> Int { let o = (y * 26 + x) * 3; return Int(frames[1][o]) + Int(frames[1][o + 1]) + Int(frames[1][o + 2]) }
            #expect(pixel(1, 7) < 30 && pixel(23, 7) < 30, "bars: \(pixel(1, 7)), \(pixel(23, 7))")
            #expect(pixel(12, 7) > 60, "picture: \(pixel(12, 7))")
        }
    }

    @Test func unwritableDirectoryIsReported() throws {
        let dir = try DiskSinkFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/plain-file"
        try Data("x".utf8).write(to: URL(fileURLWithPath: file))
        // A regular file where the directory should be, and a directory below a regular file
        // (tests may run as root, so permission bits cannot be relied on).
        for path in [file, file + "/out"] {
            do {
                _ = try DiskSink(directory: path)
                Issue.record("DiskSink(directory: \(path)) succeeded")
            } catch let error as MediaError {
                guard case let .writeFailed(failed, reason) = error else { Issue.record("\(error)"); continue }
                #expect(failed == path || path.hasPrefix(failed), "\(error)")
                #expect(reason.contains("directory"), "\(error)")
            }
        }
    }

    /// A write that fails (its PNG directory vanished) is reported with the path; `finish`
    /// still closes everything, and what was written before stays complete.
    @Test func finishAfterAFailedWrite() throws {
        let vocabulary = try RecordFixtures.vocabulary()
        let dir = try DiskSinkFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var options = DiskSinkOptions()
        options.overlay = true
        let sink = try DiskSink(directory: dir, options: options)
        for t in 0..<2 { try sink.write(DiskSinkFixtures.output(frame: t, pts: Double(t) / 25, vocabulary: vocabulary)) }
        try FileManager.default.removeItem(atPath: dir + "/panoptic")
        do {
            try sink.write(DiskSinkFixtures.output(frame: 2, pts: 0.08, vocabulary: vocabulary))
            Issue.record("writing into a removed directory succeeded")
        } catch let error as MediaError {
            #expect(error.description.contains("/panoptic/000002.png"), "\(error)")
            #expect(error.description.contains("check that the output directory exists"), "\(error)")
        }
        try sink.finish()
        let text = String(decoding: try #require(FileManager.default.contents(atPath: sink.labelsPath)), as: UTF8.self)
        #expect(text.split(separator: "\n").count == 2)
        #expect(try DiskSinkProbe.frameTimes(sink.overlayPath).count == 2)
    }
}
