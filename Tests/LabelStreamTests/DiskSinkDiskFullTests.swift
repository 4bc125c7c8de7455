import Foundation
import Testing
import CLIP
import FCCLIP
import LabelStream
import Media
import TestSupport

/// A disk that fills up during a run with an overlay: one error, whole lines, every PNG with its
/// line, and an overlay without a partial fragment.
@Suite struct DiskSinkDiskFullTests {
    @Test func fillingTheDiskLeavesConsistentOutputs() throws {
        guard let disk = SmallDisk.mount(kilobytes: 192) else {
            print("DiskSinkDiskFullTests: skipped: cannot mount a tmpfs here (needs root); the disk-full path was not run")
            return
        }
        defer { disk.unmount() }
        let vocabulary = try RecordFixtures.vocabulary()
        var options = DiskSinkOptions()
        options.overlay = true
        options.semantic = true
        options.overlayFrameRateHint = 5  // a fragment every 10 frames
        let sink = try DiskSink(directory: disk.path + "/out", options: options)
        var failure: Error?
        for t in 0..<3000 {
            do {
                try sink.write(DiskSinkFixtures.output(frame: t, pts: Double(t) / 5, width: 96, height: 64, vocabulary: vocabulary))
            } catch {
                failure = error
                break
            }
        }
        let error = try #require(failure, "192 KiB never filled up")
        #expect("\(error)".contains("the disk is full"), "\(error)")
        // The failure was reported by write; finish closes what it can and does not repeat it.
        #expect(throws: Never.self) { try sink.finish() }

        let text = try String(contentsOfFile: sink.labelsPath, encoding: .utf8)
        #expect(text.isEmpty || text.hasSuffix("\n"))
        let records = try text.split(separator: "\n").map { try JSONDecoder().decode(FrameRecord.self, from: Data($0.utf8)) }
        #expect(records.count == sink.framesWritten && records.count > 0)
        #expect(records.map(\.frame) == Array(0..<records.count))
        let expected = Set(records.map { String(format: "%06d.png", $0.frame) })
        for sub in ["panoptic", "semantic"] {
            let pngs = Set(try FileManager.default.contentsOfDirectory(atPath: sink.directory + "/" + sub))
            #expect(pngs == expected, "\(sub): \(pngs.symmetricDifference(expected).sorted())")
        }
        // The overlay holds whole fragments only (or is gone), and no frame without a record.
        if FileManager.default.fileExists(atPath: sink.overlayPath) {
            let probe = try DiskSinkProbe.strictFrameTimes(sink.overlayPath)
            #expect(probe.errors.isEmpty, "ffprobe: \(probe.errors)")
            #expect(probe.times.count <= records.count)
            #expect(sink.notes.contains { $0.contains("cut back to its last complete fragment") } || probe.times.count == records.count,
                    "\(sink.notes)")
        } else {
            #expect(sink.notes.contains { $0.contains("removed") }, "\(sink.notes)")
        }
        #expect(try DiskSink.recover(directory: sink.directory).isClean)
    }
}

extension DiskSinkProbe {
    /// Frame times and whatever ffprobe complains about (a partial fragment: "partial file",
    /// invalid NAL units).
    static func strictFrameTimes(_ path: String) throws -> (times: [Double], errors: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                             "frame=best_effort_timestamp_time", "-of", "csv=p=0", path]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let times = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).compactMap { line in
            line.split(separator: ",").compactMap { Double($0) }.first
        }
        return (times, String(decoding: errors, as: UTF8.self))
    }
}
