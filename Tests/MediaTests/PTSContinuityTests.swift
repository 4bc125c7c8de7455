import Foundation
import Media
import Testing

/// Output timestamps stay strictly increasing whatever the source's do, and each break is
/// reported once, with the source's own time.
@Suite struct PTSContinuityTests {
    private func place(_ times: [Double?], duration: Double = 0.04, limit: Double? = nil) -> [PTSContinuity.Placement] {
        var continuity = PTSContinuity(frameDuration: duration, forwardJumpLimit: limit)
        return times.map { continuity.place($0) }
    }

    @Test func continuousTimesPassThrough() {
        let times = [0, 0.04, 0.1, 0.5, 3.0]
        let placed = place(times)
        #expect(placed.map(\.pts) == times)
        #expect(placed.map(\.sourcePTS) == times)
        #expect(placed.allSatisfy { !$0.discontinuity })
    }

    /// Two recordings back to back, both starting at 0: the second continues one frame after
    /// the first, keeps its own spacing, and only its first frame is flagged.
    @Test func timesThatGoBackAreRebased() {
        let placed = place([0, 0.04, 0.08, 0, 0.04, 0.08])
        let pts = placed.map(\.pts)
        #expect(zip(pts, pts.dropFirst()).allSatisfy { $0 < $1 }, "\(pts)")
        #expect(abs(pts[3] - 0.12) < 1e-12 && abs(pts[5] - 0.2) < 1e-12, "\(pts)")
        #expect(placed.map(\.discontinuity) == [false, false, false, true, false, false])
        #expect(placed[3].sourcePTS == 0 && placed[5].sourcePTS == 0.08)
    }

    /// A repeated timestamp is not an increase either.
    @Test func aRepeatedTimeIsADiscontinuity() {
        let placed = place([1, 1, 1.04])
        #expect(placed.map(\.discontinuity) == [false, true, false])
        #expect(placed.map(\.pts) == [1, 1.04, 1.08])
    }

    /// Forward jumps beyond the limit are re-based only when a limit is set.
    @Test func forwardJumpsBeyondTheLimit() {
        let unlimited = place([0, 0.04, 3600, 3600.04])
        #expect(unlimited.map(\.pts) == [0, 0.04, 3600, 3600.04])
        #expect(unlimited.allSatisfy { !$0.discontinuity })
        let limited = place([0, 0.04, 3600, 3600.04, 3605], limit: 10)
        #expect(limited.map(\.discontinuity) == [false, false, true, false, false])
        #expect(abs(limited[2].pts - 0.08) < 1e-12 && abs(limited[4].pts - 5.08) < 1e-9, "\(limited.map(\.pts))")
    }

    /// Frames without a time (nil, NaN) come one frame duration after the previous one.
    @Test func framesWithoutATime() {
        let placed = place([nil, 0.5, .nan, 0.2], duration: 0.1)
        let pts = placed.map(\.pts)
        #expect(abs(pts[0]) < 1e-12 && pts[1] == 0.5 && abs(pts[2] - 0.6) < 1e-12 && abs(pts[3] - 0.7) < 1e-12, "\(pts)")
        #expect(placed.map(\.discontinuity) == [false, false, false, true])
    }

    @Test func aBadFrameDurationFallsBackTo25fps() {
        #expect(PTSContinuity(frameDuration: 0).frameDuration == 1.0 / 25)
        #expect(PTSContinuity(frameDuration: .infinity).frameDuration == 1.0 / 25)
    }
}
