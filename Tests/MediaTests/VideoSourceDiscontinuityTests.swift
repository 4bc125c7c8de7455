import Foundation
import Media
import Testing

/// Concatenated MPEG-TS recordings (`cat a.ts b.ts`), each starting at the same pts, as
/// recorders and segmenters produce them: the pts the source reports keep increasing.
@Suite struct VideoSourceDiscontinuityTests {
    @Test func concatenatedTransportStreamsKeepIncreasing() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try FFmpegCLI.run(["-f", "lavfi", "-i", "testsrc2=size=48x32:rate=25", "-frames:v", "6",
                           "-c:v", "libx264", "-pix_fmt", "yuv420p", dir.file("a.ts")])
        // The second part has another size, so the decoder re-initialises mid-stream.
        try FFmpegCLI.run(["-f", "lavfi", "-i", "testsrc2=size=40x24:rate=25", "-frames:v", "5",
                           "-c:v", "libx264", "-pix_fmt", "yuv420p", dir.file("b.ts")])
        let joined = try Data(contentsOf: URL(fileURLWithPath: dir.file("a.ts"))) + Data(contentsOf: URL(fileURLWithPath: dir.file("b.ts")))
        try joined.write(to: URL(fileURLWithPath: dir.file("c.ts")))
        // The reference: the source's own timestamps go back at frame 6.
        let probed = try VideoProbe.framePTS(dir.file("c.ts"))
        #expect(probed.count == 11 && probed[6] < probed[5], "\(probed)")

        let frames = try decodeAllFrames(try VideoSource(url: dir.file("c.ts")))
        #expect(frames.count == 11)
        let pts = frames.map(\.pts)
        #expect(zip(pts, pts.dropFirst()).allSatisfy { $0 < $1 }, "pts must increase strictly: \(pts)")
        #expect(frames.map(\.discontinuity) == (0..<11).map { $0 == 6 })
        // The first part is untouched; the second continues one frame (1/25 s) later, spaced as before.
        for i in 0..<6 { #expect(abs(pts[i] - probed[i]) < 1e-6) }
        #expect(abs(pts[6] - (pts[5] + 0.04)) < 1e-6)
        for i in 6..<11 {
            #expect(abs(frames[i].sourcePTS - probed[i]) < 1e-6)
            #expect(abs((pts[i] - pts[6]) - (probed[i] - probed[6])) < 1e-6)
        }
        #expect(frames[6].width == 40 && frames[6].height == 24 && frames[6].image?.width == 40)
    }
}
