import Foundation
import Testing
import Media

/// Motion vectors exported by the H.264 decoder.
@Suite struct VideoSourceMotionVectorTests {
    @Test func h264MotionVectors() throws {
        guard FFmpegCLI.hasEncoder("libx264") else { print("skipped: no libx264"); return }
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("moving.mp4")
        // testsrc2 moves; one I frame, then P frames only.
        try FFmpegCLI.run(["-f", "lavfi", "-i", "testsrc2=size=128x96:rate=10", "-frames:v", "10",
                           "-c:v", "libx264", "-bf", "0", "-g", "100", "-pix_fmt", "yuv420p", path])
        var options = VideoSourceOptions()
        options.exportMotionVectors = true
        let frames = try decodeAllFrames(try VideoSource(url: path, options: options))
        #expect(frames.count == 10)
        guard let first = frames.first else { return }
        #expect(first.isKeyframe)
        #expect(first.motionVectors == [], "the I frame has no vectors")
        let predicted = frames.dropFirst()
        #expect(predicted.allSatisfy { !$0.isKeyframe })
        #expect(predicted.allSatisfy { ($0.motionVectors?.count ?? 0) > 0 }, "\(predicted.map { $0.motionVectors?.count ?? -1 })")
        for frame in predicted {
            for v in frame.motionVectors ?? [] {
                #expect((0...128).contains(v.destinationX) && (0...96).contains(v.destinationY), "\(v)")
                #expect(v.source < 0, "P frames predict from the past")
                #expect(v.motionScale > 0 && [4, 8, 16].contains(v.blockWidth) && [4, 8, 16].contains(v.blockHeight))
            }
        }
        // Some block actually moved.
        #expect(predicted.contains { ($0.motionVectors ?? []).contains { $0.motionX != 0 || $0.motionY != 0 } })

        // Without the option: no vectors at all.
        let plain = try decodeAllFrames(try VideoSource(url: path))
        #expect(plain.allSatisfy { $0.motionVectors == nil })
    }
}
