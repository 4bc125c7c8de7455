import Foundation
import Testing
import FCCLIP
import Media

/// `committedBytes` / `framesCommitted`: where a fragmented MP4 can be cut back to after a
/// failed write, so that no partial fragment stays in the file.
@Suite struct VideoEncoderCommitTests {
    @Test func cuttingBackToTheCommittedSizeLeavesWholeFragments() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("overlay.mp4")
        // frameRateHint 5: a keyframe (and a new fragment) every 10 frames.
        let encoder = try VideoEncoder(path: path, width: 32, height: 24, frameRateHint: 5)
        #expect(encoder.committedBytes > 0 && encoder.framesCommitted == 0, "the header is committed")
        let header = encoder.committedBytes
        for i in 0..<45 {
            // A gradient moving one pixel per frame (no scene cuts: keyframes come by the interval).
            let pixels = (0..<(32 * 24 * 3)).map { UInt8(truncatingIfNeeded: ($0 / 3 % 32 + i) * 8) }
            try encoder.append(try RGBImage(width: 32, height: 24, pixels: pixels), pts: Double(i) / 5)
        }
        // Fragments were completed at keyframes (as far as the encoder's delay let packets
        // through); the frames of the open fragment are not committed.
        let committed = encoder.committedBytes, frames = encoder.framesCommitted
        #expect(committed > header)
        #expect(frames > 0 && frames < 45, "\(frames) frames committed")
        let size = try #require(FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        #expect(Int64(size) == committed, "the open fragment is held in memory, not in the file")
        // A copy cut at the committed size plays, with exactly the committed frames.
        let copy = dir.file("cut.mp4")
        try FileManager.default.copyItem(atPath: path, toPath: copy)
        #expect(truncate(copy, off_t(committed)) == 0)
        let times = try EncoderProbe.frameTimes(copy)
        #expect(times.count == frames)
        #expect(zip(times, (0..<frames).map { Double($0) / 5 }).allSatisfy { abs($0 - $1) < 1e-3 }, "\(times)")
        try encoder.finish()
        #expect(try EncoderProbe.frameTimes(path).count == 45)
    }
}
