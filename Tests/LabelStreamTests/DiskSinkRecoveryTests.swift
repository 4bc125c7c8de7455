import Foundation
import Testing
import CLIP
import FCCLIP
import LabelStream
import Media

/// The traces a killed run leaves (a PNG without its line, a torn last line, a PNG temporary),
/// made by hand, and what `DiskSink.recover` and a new `DiskSink` in the same folder do with them.
@Suite struct DiskSinkRecoveryTests {
    /// A folder with frames 0…2 written, then a kill's traces: frame 3's PNG without a line, half
    /// of frame 3's line, and a temporary of frame 4's PNG. Plus files a DiskSink does not name.
    private func killedRun() throws -> (dir: String, lines: String) {
        let vocabulary = try RecordFixtures.vocabulary()
        let dir = try DiskSinkFixtures.temporaryDirectory()
        var options = DiskSinkOptions()
        options.semantic = true
        let sink = try DiskSink(directory: dir, options: options)
        for t in 0..<3 { try sink.write(DiskSinkFixtures.output(frame: t, pts: Double(t) / 25, vocabulary: vocabulary)) }
        try sink.finish()
        let lines = try String(contentsOfFile: sink.labelsPath, encoding: .utf8)
        let fm = FileManager.default
        try fm.copyItem(atPath: dir + "/panoptic/000000.png", toPath: dir + "/panoptic/000003.png")
        try fm.copyItem(atPath: dir + "/semantic/000000.png", toPath: dir + "/semantic/000003.png")
        try Data("partial".utf8).write(to: URL(fileURLWithPath: dir + "/panoptic/.000004.png.4242.17.tmp"))
        let torn = DiskSinkFixtures.output(frame: 3, pts: 0.12, vocabulary: vocabulary).record.jsonLine().prefix(40)
        let handle = try #require(FileHandle(forWritingAtPath: sink.labelsPath))
        handle.seekToEndOfFile()
        handle.write(Data(torn.utf8))
        handle.closeFile()
        try Data("mine".utf8).write(to: URL(fileURLWithPath: dir + "/panoptic/notes.png"))
        try Data("mine".utf8).write(to: URL(fileURLWithPath: dir + "/README"))
        return (dir, lines)
    }

    private func names(_ dir: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
    }

    @Test func recoverCutsTheTornLineAndRemovesOrphans() throws {
        let (dir, lines) = try killedRun()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let recovery = try DiskSink.recover(directory: dir)
        #expect(recovery.lines == 3)
        #expect(recovery.tornBytes == 40)
        #expect(recovery.orphanPNGs == ["panoptic/000003.png", "semantic/000003.png"])
        #expect(recovery.temporaries == 1)
        #expect(!recovery.isClean)
        #expect(recovery.description.contains("removed 2 PNGs without a line in labels.jsonl (panoptic/000003.png, semantic/000003.png)"),
                "\(recovery)")
        #expect(recovery.description.contains("cut a torn last line"), "\(recovery)")
        // The whole lines are untouched; PNGs with a line and files a DiskSink does not name stay.
        #expect(try String(contentsOfFile: dir + "/labels.jsonl", encoding: .utf8) == lines)
        #expect(try names(dir + "/panoptic") == ["000000.png", "000001.png", "000002.png", "notes.png"])
        #expect(try names(dir + "/semantic") == ["000000.png", "000001.png", "000002.png"])
        #expect(FileManager.default.fileExists(atPath: dir + "/README"))
        // A second pass finds nothing to do.
        let again = try DiskSink.recover(directory: dir)
        #expect(again.isClean && again.lines == 3, "\(again)")
    }

    /// A folder without labels.jsonl: every frame PNG is an orphan.
    @Test func pngsWithoutAnyLabelsFile() throws {
        let (dir, _) = try killedRun()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.removeItem(atPath: dir + "/labels.jsonl")
        let recovery = try DiskSink.recover(directory: dir)
        #expect(recovery.lines == 0 && recovery.orphanPNGs.count == 8)
        #expect(try names(dir + "/panoptic") == ["notes.png"])
    }

    /// A new sink in the folder reports the earlier run's traces and replaces its outputs: no
    /// PNG is left without a line in the new labels.jsonl.
    @Test func aNewSinkReplacesAKilledRunsOutputs() throws {
        let vocabulary = try RecordFixtures.vocabulary()
        let (dir, _) = try killedRun()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let sink = try DiskSink(directory: dir)
        #expect(sink.notes.count == 1)
        let note = try #require(sink.notes.first)
        #expect(note.contains("replacing an earlier run's outputs (3 lines, 6 PNGs removed)"), "\(note)")
        #expect(note.contains("that run was cut short") && note.contains("panoptic/000003.png"), "\(note)")
        try sink.write(DiskSinkFixtures.output(frame: 1, pts: 0.04, vocabulary: vocabulary))
        try sink.finish()
        #expect(try names(dir + "/panoptic") == ["000001.png", "notes.png"])
        #expect(try names(dir + "/semantic") == [])
        let text = try String(contentsOfFile: dir + "/labels.jsonl", encoding: .utf8)
        #expect(text.split(separator: "\n").count == 1 && text.hasSuffix("\n"))
    }

    @Test func aFreshFolderHasNoNotes() throws {
        let dir = try DiskSinkFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(try DiskSink(directory: dir + "/new").notes.isEmpty)
        #expect(try DiskSink.recover(directory: dir + "/new").isClean)
    }
}
