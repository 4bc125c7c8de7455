import Foundation
import Testing
import FCCLIP
import Media

/// The `ffprobe` command line tool: an independent reader of the videos `VideoEncoder` writes.
enum EncoderProbe {
    static func run(_ arguments: [String]) throws -> String {
        let ffmpeg = try FFmpegCLI.executable()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: String(ffmpeg.dropLast("ffmpeg".count)) + "ffprobe")
        process.arguments = ["-hide_banner", "-v", "error"] + arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw MediaTestError(description: "ffprobe \(arguments.joined(separator: " ")) failed (\(process.terminationStatus))")
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// The presentation time of every decoded video frame, in seconds.
    static func frameTimes(_ path: String) throws -> [Double] {
        try run(["-select_streams", "v:0", "-show_entries", "frame=best_effort_timestamp_time",
                 "-of", "csv=p=0", path])
            .split(whereSeparator: \.isNewline).compactMap { Double($0.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: ","))) }
    }

    /// `key=value` entries of the first video stream (`codec_name`, `width`, `height`, …).
    static func stream(_ path: String) throws -> [String: String] {
        let text = try run(["-select_streams", "v:0", "-show_entries", "stream=codec_name,width,height,pix_fmt:format=format_name",
                            "-of", "default=noprint_wrappers=1", path])
        var entries: [String: String] = [:]
        for line in text.split(whereSeparator: \.isNewline) {
            let parts = line.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { entries[String(parts[0])] = String(parts[1]) }
        }
        return entries
    }
}

/// Every decoded frame of `path` as packed RGB24 at the coded size, read by the ffmpeg CLI
/// (one output frame per decoded frame: no frame-rate conversion).
func encoderDecodedFrames(_ path: String, width: Int, height: Int) throws -> [[UInt8]] {
    let bytes = [UInt8](try FFmpegCLI.run(["-i", path, "-fps_mode", "passthrough", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"]))
    let size = width * height * 3
    #expect(bytes.count % size == 0)
    return stride(from: 0, to: bytes.count - size + 1, by: size).map { Array(bytes[$0..<($0 + size)]) }
}

/// PSNR in dB of the top-left `width × height` of `decoded` (`decodedWidth` wide) against `source`.
func encoderPSNR(_ source: RGBImage, _ decoded: [UInt8], decodedWidth: Int) -> Double {
    var sum = 0.0
    for y in 0..<source.height {
        for x in 0..<(source.width * 3) {
            let d = Double(source.pixels[y * source.width * 3 + x]) - Double(decoded[y * decodedWidth * 3 + x])
            sum += d * d
        }
    }
    let mse = sum / Double(source.width * source.height * 3)
    return mse == 0 ? .infinity : 10 * log10(255 * 255 / mse)
}

/// A smooth moving pattern: colour gradients that drift by two pixels per frame.
func encoderPattern(width: Int, height: Int, frame t: Int) throws -> RGBImage {
    var pixels = [UInt8](repeating: 0, count: width * height * 3)
    for y in 0..<height {
        for x in 0..<width {
            let o = (y * width + x) * 3
            let u = Double(x + 2 * t) / 80, v = Double(y + t) / 60
            pixels[o] = UInt8(128 + 80 * sin(2 * .pi * u))
            pixels[o + 1] = UInt8(128 + 80 * cos(2 * .pi * v))
            pixels[o + 2] = UInt8(128 + 50 * sin(2 * .pi * (u + v) / 2))
        }
    }
    return try RGBImage(width: width, height: height, pixels: pixels)
}

@Suite struct VideoEncoderTests {
    /// One tick of the encoder, plus ffprobe's 6-decimal printing.
    static func tolerance(_ encoder: VideoEncoder) -> Double { 1 / Double(encoder.ticksPerSecond) + 1e-6 }

    /// Encodes `count` frames of the moving pattern at `pts`, reads them back, and checks size,
    /// frame count, timestamps and pixels.
    ///
    /// PSNR > 30 dB: H.264 at CRF 23 on 4:2:0 loses some detail (chroma is stored at half
    /// resolution and rounded to limited range), but on this smooth pattern the error stays at a
    /// few levels per sample (33–39 dB measured with x264 0.164, 36–39 dB with MPEG-4 at q 3). 30 dB (RMS error ≈ 8 levels) leaves room for
    /// encoder versions, while a wrong colour matrix, swapped channels, a misplaced row or
    /// column, or a frame shown at the wrong time falls well below it.
    func roundTrip(width: Int, height: Int, pts: [Double], codec: VideoEncoder.Codec = .automatic) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("out.mp4")
        let encoder = try VideoEncoder(path: path, width: width, height: height, codec: codec)
        #expect(encoder.codedWidth == width + width % 2 && encoder.codedHeight == height + height % 2)
        var images: [RGBImage] = []
        for (i, t) in pts.enumerated() {
            let image = try encoderPattern(width: width, height: height, frame: i)
            images.append(image)
            try encoder.append(image, pts: t)
        }
        #expect(encoder.framesWritten == pts.count)
        try encoder.finish()

        let info = try EncoderProbe.stream(path)
        #expect(info["width"] == String(encoder.codedWidth))
        #expect(info["height"] == String(encoder.codedHeight))
        #expect(info["pix_fmt"] == "yuv420p")
        #expect(info["codec_name"] == encoder.codecName)

        let times = try EncoderProbe.frameTimes(path)
        #expect(times.count == pts.count)
        for (got, want) in zip(times, pts) {
            #expect(abs(got - want) <= Self.tolerance(encoder), "frame at \(want) s decoded at \(got) s")
        }

        let frames = try encoderDecodedFrames(path, width: encoder.codedWidth, height: encoder.codedHeight)
        #expect(frames.count == pts.count)
        for (i, (image, decoded)) in zip(images, frames).enumerated() {
            let quality = encoderPSNR(image, decoded, decodedWidth: encoder.codedWidth)
            #expect(quality > 30, "frame \(i): PSNR \(quality) dB")
            // The padding column/row repeats the last one.
            if width % 2 == 1 {
                let row = height / 2
                let last = Array(decoded[(row * encoder.codedWidth + width - 1) * 3..<(row * encoder.codedWidth + width) * 3])
                let pad = Array(decoded[(row * encoder.codedWidth + width) * 3..<(row * encoder.codedWidth + width + 1) * 3])
                #expect(differences(last, pad).max <= 12)
            }
        }
    }

    @Test func constantFrameRate64x48() throws {
        try roundTrip(width: 64, height: 48, pts: (0..<20).map { Double($0) / 25 })
    }

    @Test func oddSize37x23IsPaddedByOnePixel() throws {
        try roundTrip(width: 37, height: 23, pts: (0..<20).map { Double($0) / 25 })
    }

    @Test func variableFrameRateTimestampsArePreserved() throws {
        var pts: [Double] = [0]
        let gaps: [Double] = [0.04, 0.01, 0.3, 1.0 / 30, 0.5, 1.0 / 60, 0.04, 0.12345, 2.0, 0.04]
        for i in 0..<19 { pts.append(pts.last! + gaps[i % gaps.count]) }
        try roundTrip(width: 64, height: 48, pts: pts)
    }

    @Test func streamStartingLateKeepsItsTimestamps() throws {
        try roundTrip(width: 64, height: 48, pts: (0..<12).map { 49.36 + Double($0) / 30 })
    }

    @Test func mpeg4Fallback() throws {
        try roundTrip(width: 37, height: 23, pts: (0..<12).map { Double($0) * 0.037 }, codec: .mpeg4)
    }

    @Test func codecIsH264WhenLibx264Exists() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let encoder = try VideoEncoder(path: dir.file("a.mp4"), width: 16, height: 16)
        #expect(VideoEncoder.hasH264 == FFmpegCLI.hasEncoder("libx264"))
        #expect(encoder.codecName == (VideoEncoder.hasH264 ? "h264" : "mpeg4"))
        try encoder.append(try encoderPattern(width: 16, height: 16, frame: 0), pts: 0)
        try encoder.finish()
        #expect(try EncoderProbe.stream(dir.file("a.mp4"))["codec_name"] == encoder.codecName)
    }

    @Test func nonIncreasingPtsIsBumpedByOneTick() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("bump.mp4")
        let encoder = try VideoEncoder(path: path, width: 16, height: 16)
        for (i, t) in ([0, 0.5, 0.5, 0.2, Double.nan, 1.0] as [Double]).enumerated() {
            try encoder.append(try encoderPattern(width: 16, height: 16, frame: i), pts: t)
        }
        try encoder.finish()
        let tick = 1 / Double(encoder.ticksPerSecond)
        let want: [Double] = [0, 0.5, 0.5 + tick, 0.5 + 2 * tick, 0.5 + 3 * tick, 1.0]
        let times = try EncoderProbe.frameTimes(path)
        #expect(times.count == want.count)
        for (got, w) in zip(times, want) { #expect(abs(got - w) <= Self.tolerance(encoder)) }
    }

    @Test func containerFromExtension() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        for (name, format) in [("a.mkv", "matroska"), ("a.unknownext", "mov,mp4"), ("noext", "mov,mp4")] {
            let encoder = try VideoEncoder(path: dir.file(name), width: 16, height: 16)
            try encoder.append(try encoderPattern(width: 16, height: 16, frame: 0), pts: 0)
            try encoder.append(try encoderPattern(width: 16, height: 16, frame: 1), pts: 0.04)
            try encoder.finish()
            #expect(try EncoderProbe.stream(dir.file(name))["format_name"]?.hasPrefix(format) == true, "\(name)")
            #expect(try EncoderProbe.frameTimes(dir.file(name)).count == 2, "\(name)")
        }
    }

    @Test func unwritablePathThrowsWriteFailed() throws {
        let path = "/nonexistent-segd-dir-\(UUID().uuidString)/overlay.mp4"
        do {
            _ = try VideoEncoder(path: path, width: 16, height: 16)
            Issue.record("opening \(path) succeeded")
        } catch let error as MediaError {
            guard case let .writeFailed(failedPath, reason) = error else { Issue.record("wrong error \(error)"); return }
            #expect(failedPath == path)
            #expect(reason.contains("No such file or directory"), "\(reason)")
            #expect(error.description.hasPrefix(path))
        }
        // A directory in place of the file.
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        #expect(throws: MediaError.self) { try VideoEncoder(path: dir.path, width: 16, height: 16) }
        #expect(throws: MediaError.self) { try VideoEncoder(path: dir.file("a.mp4"), width: 0, height: 16) }
    }

    @Test func misuseIsReported() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let encoder = try VideoEncoder(path: dir.file("a.mp4"), width: 16, height: 16)
        #expect(throws: MediaError.self) { try encoder.append(try encoderPattern(width: 17, height: 16, frame: 0), pts: 0) }
        try encoder.append(try encoderPattern(width: 16, height: 16, frame: 0), pts: 0)
        try encoder.finish()
        try encoder.finish()  // idempotent
        try encoder.flushFragment()  // no-op once finished
        #expect(throws: MediaError.self) { try encoder.append(try encoderPattern(width: 16, height: 16, frame: 1), pts: 1) }
        #expect(encoder.framesWritten == 1)
        #expect(try EncoderProbe.frameTimes(dir.file("a.mp4")).count == 1)
    }

    /// A copy of the file taken before `finish` (what a killed process leaves) is playable and
    /// holds every completed fragment: with a keyframe every 2 s (20 frames at 10 fps), 80
    /// appended frames have completed at least the fragments of frames 0…39.
    @Test func unfinishedFileIsPlayable() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("live.mp4")
        let encoder = try VideoEncoder(path: path, width: 32, height: 24, frameRateHint: 10)
        for i in 0..<80 {
            try encoder.append(try encoderPattern(width: 32, height: 24, frame: i), pts: Double(i) / 10)
        }
        let snapshot = dir.file("snapshot.mp4")
        try FileManager.default.copyItem(atPath: path, toPath: snapshot)
        let times = try EncoderProbe.frameTimes(snapshot)
        #expect(times.count >= 40, "unfinished file decodes to \(times.count) frames")
        #expect(times.count < 80)
        for (i, t) in times.enumerated() { #expect(abs(t - Double(i) / 10) <= Self.tolerance(encoder)) }

        // flushFragment writes out everything the encoder has produced so far.
        try encoder.flushFragment()
        let flushed = dir.file("flushed.mp4")
        try FileManager.default.copyItem(atPath: path, toPath: flushed)
        let flushedCount = try EncoderProbe.frameTimes(flushed).count
        #expect(flushedCount >= times.count)
        #expect(flushedCount >= 40)

        try encoder.finish()
        #expect(try EncoderProbe.frameTimes(path).count == 80)
    }

    /// Dropping an encoder without `finish` finishes it: the file is complete.
    @Test func deinitFinishesBestEffort() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("dropped.mp4")
        do {
            let encoder = try VideoEncoder(path: path, width: 16, height: 16)
            for i in 0..<5 { try encoder.append(try encoderPattern(width: 16, height: 16, frame: i), pts: Double(i) / 25) }
        }
        #expect(try EncoderProbe.frameTimes(path).count == 5)
    }
}
