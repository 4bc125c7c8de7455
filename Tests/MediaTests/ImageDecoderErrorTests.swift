import Foundation
import Testing
import FCCLIP
import Media

/// Bad inputs give the right `MediaError`, never a crash.
@Suite struct ImageDecoderErrorTests {
    @Test func missingFile() throws {
        let path = "/nonexistent-\(UUID().uuidString)/x.png"
        #expect(throws: MediaError.cannotOpen(path: path, reason: "No such file or directory")) {
            try ImageDecoder.decode(path: path)
        }
    }

    @Test func textFileNamedPNG() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("notes.png")
        try "just some text, not a picture\n".write(toFile: path, atomically: true, encoding: .utf8)
        do {
            _ = try ImageDecoder.decode(path: path)
            Issue.record("a text file decoded")
        } catch let error as MediaError {
            switch error {
            case .cannotOpen, .decodeFailed: break
            default: Issue.record("unexpected \(error)")
            }
        }
    }

    @Test func emptyFile() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("empty.png")
        FileManager.default.createFile(atPath: path, contents: Data())
        #expect(throws: MediaError.self) { try ImageDecoder.decode(path: path) }
    }

    @Test(arguments: ["x.png", "x.jpg", "gray16.png", "x.bmp"])
    func truncatedToHalf(name: String) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let full = dir.file(name)
        try FFmpegCLI.make(full, source: "testsrc2=size=200x150", name == "gray16.png" ? ["-pix_fmt", "gray16be"] : [])
        let bytes = try Data(contentsOf: URL(fileURLWithPath: full))
        let path = dir.file("half-" + name)
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: path))
        do {
            let image = try ImageDecoder.decode(path: path)
            Issue.record("\(name) truncated to half decoded as \(image.width)x\(image.height)")
        } catch let error as MediaError {
            guard case .decodeFailed(let p, _) = error, p == path else {
                Issue.record("\(name): unexpected \(error)"); return
            }
        }
    }

    @Test func corruptedPNGData() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("x.png")
        try FFmpegCLI.make(path, source: "testsrc2=size=64x64")
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        for i in stride(from: 60, to: bytes.count - 20, by: 7) { bytes[i] ^= 0x5A }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect(throws: MediaError.self) { try ImageDecoder.decode(path: path) }
    }

    /// Over `maxSide`: refused from the header (PNG, JPEG, BMP; MKV's container header) or by
    /// the decoder's buffer hook (TIFF, whose header segd does not read), with the true size.
    @Test(arguments: ["x.png", "x.jpg", "x.bmp", "x.tiff", "x.mkv"])
    func overMaxSide(name: String) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file(name)
        try FFmpegCLI.make(path, source: "testsrc=size=37x23", name == "x.mkv" ? ["-c:v", "ffv1"] : [])
        #expect(throws: MediaError.tooLarge(path: path, width: 37, height: 23, limit: 30)) {
            try ImageDecoder.decode(path: path, maxSide: 30)
        }
        #expect(throws: MediaError.tooLarge(path: path, width: 37, height: 23, limit: 16)) {
            try ImageDecoder.decode(path: path, maxSide: 16)
        }
        #expect(try ImageDecoder.decode(path: path, maxSide: 37).width == 37)
    }

    @Test func audioOnlyFileHasNoPicture() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("tone.wav")
        try FFmpegCLI.run(["-f", "lavfi", "-i", "sine=duration=0.1", path])
        #expect(throws: MediaError.noPicture(path: path)) { try ImageDecoder.decode(path: path) }
    }

    @Test func directoryIsNotAnImage() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        #expect(throws: MediaError.self) { try ImageDecoder.decode(path: dir.path) }
    }
}
