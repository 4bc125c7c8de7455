import Foundation
import Media
import Testing

/// Why nothing in an image sequence decoded: the first file's content against its name.
@Suite struct ImageSequenceCheckTests {
    @Test func jpegDataNamedPNG() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        for i in 1...2 {
            try FFmpegCLI.run(["-f", "lavfi", "-i", "testsrc=size=16x16", "-frames:v", "1", "-f", "mjpeg",
                               dir.file(String(format: "img%03d.png", i))])
        }
        // FFmpeg's sequence demuxer starts at 0…4: the first file found is img001.png.
        let problem = ImageSequenceCheck.problem(pattern: dir.file("img%03d.png"))
        #expect(problem == "img001.png holds JPEG data, not PNG: rename the files to .jpg (or convert them)")
    }

    @Test func zeroLengthFiles() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        FileManager.default.createFile(atPath: dir.file("000000.png"), contents: Data())
        #expect(ImageSequenceCheck.problem(pattern: dir.file("%06d.png")) == "000000.png is empty (0 bytes)")
    }

    @Test func nothingToSayAboutMatchingFilesOrOtherInputs() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try FFmpegCLI.run(["-f", "lavfi", "-i", "testsrc=size=16x16", "-frames:v", "1", dir.file("000000.png")])
        #expect(ImageSequenceCheck.problem(pattern: dir.file("%06d.png")) == nil)
        #expect(ImageSequenceCheck.problem(pattern: dir.file("missing-%06d.png")) == nil)
        #expect(ImageSequenceCheck.problem(pattern: dir.file("000000.png")) == nil)
        #expect(ImageSequenceCheck.problem(pattern: "rtsp://camera/stream") == nil)
    }
}
