import CLIP
import FCCLIP
import LabelStream
import Media
import Pipeline
import Testing

/// Every rule of `SegmentTracker`, on synthetic segmentations.
@Suite struct SegmentTrackerTests {
    typealias Blob = SyntheticScene.Blob

    /// Checks the invariants every run must keep: ids unique within each frame, thing ids above
    /// the stuff ids and within what a panoptic PNG encodes, and every `new` with exactly one
    /// `end` after it.
    static func checkInvariants(_ run: TrackingRun, classCount: Int = 4, sourceLocation: SourceLocation = #_sourceLocation) {
        for frame in run.ids {
            let values = Array(frame.values)
            #expect(Set(values).count == values.count, "two objects share an id in one frame", sourceLocation: sourceLocation)
            #expect(values.allSatisfy { $0 > Int32(classCount) && $0 <= SegmentTracker.maxID }, sourceLocation: sourceLocation)
        }
        var open: Set<Int> = []
        for e in run.events {
            switch e.event {
            case .new: #expect(open.insert(e.id).inserted, "second new for \(e.id)", sourceLocation: sourceLocation)
            case .update: #expect(open.contains(e.id), "update before new for \(e.id)", sourceLocation: sourceLocation)
            case .end: #expect(open.remove(e.id) != nil, "end without new for \(e.id)", sourceLocation: sourceLocation)
            }
        }
        #expect(open.isEmpty, "tracks without an end: \(open)", sourceLocation: sourceLocation)
    }

    @Test func anObjectMovingAQuarterOfItsSizePerFrameKeepsItsId() {
        for (dx, dy) in [(5, 0), (-5, 0), (0, 5), (4, -3), (5, 5)] {
            let run = TrackingRun()
            for t in 0..<40 {
                let x = 90 + dx * ((t % 20) < 10 ? t % 20 : 20 - t % 20), y = 50 + dy * ((t % 12) < 6 ? t % 12 : 12 - t % 12)
                run.step([Blob(truth: 1, x: x, y: y)])
            }
            run.finish()
            #expect(run.idsOf(1).count == 1, "moving by (\(dx), \(dy)) per frame: ids \(run.idsOf(1))")
            #expect(run.events.map(\.event) == [.new, .end])
            Self.checkInvariants(run)
        }
    }

    @Test func velocityCarriesAFastObjectAcrossAGap() {
        // 8 px/frame (40 % of its size) with a frame missing: the velocity, not the overlap
        // with the last mask, finds it again.
        let run = TrackingRun()
        for t in 0..<20 where t != 10 { run.frameStep(t) { [Blob(truth: 1, x: 10 + 8 * t, y: 50)] } }
        #expect(run.idsOf(1).count == 1)
    }

    @Test func crossingObjectsKeepTheirIds() {
        // Two boxes of one class pass each other (one occludes the other while they cross).
        let run = TrackingRun()
        for t in 0..<30 {
            run.step([Blob(truth: 1, x: 20 + 5 * t, y: 50), Blob(truth: 2, x: 170 - 5 * t, y: 54)])
        }
        run.finish()
        #expect(run.idsOf(1).count == 1 && run.idsOf(2).count == 1, "\(run.ids.enumerated().map { "\($0.offset): \($0.element.sorted { $0.key < $1.key })" })")
        #expect(run.idsOf(1) != run.idsOf(2))
        Self.checkInvariants(run)
    }

    @Test func aShortOcclusionKeepsTheIdAndALongOneEndsTheTrack() {
        var options = TrackerOptions()
        options.graceFrames = 5
        options.graceSeconds = 0
        for hidden in [3, 5, 6, 12] {
            let run = TrackingRun(options: options)
            for t in 0..<30 {
                let gone = t >= 10 && t < 10 + hidden
                run.step(gone ? [] : [Blob(truth: 1, x: 80, y: 40)])
            }
            run.finish()
            let kept = hidden <= 5
            #expect((run.idsOf(1).count == 1) == kept, "hidden \(hidden) frames: ids \(run.idsOf(1))")
            let ends = run.events.filter { $0.event == .end }
            #expect(ends.count == (kept ? 1 : 2))
            if !kept { #expect(ends.first?.reason == .lost && ends.first?.lastFrame == 9) }
            Self.checkInvariants(run)
        }
    }

    @Test func theGracePeriodIsTheLongerOfFramesAndSeconds() {
        var options = TrackerOptions()
        options.graceFrames = 2
        options.graceSeconds = 0.5
        // At 10 fps 0.5 s is 5 frames: hidden 4 frames keeps the id although 4 > graceFrames.
        let run = TrackingRun(options: options)
        run.fps = 10
        for t in 0..<20 { run.step(t >= 5 && t < 9 ? [] : [Blob(truth: 1, x: 80, y: 40)]) }
        #expect(run.idsOf(1).count == 1)
        // At 100 fps, 0.5 s is 50 frames: the seconds rule keeps it through 10 missing frames.
        let fast = TrackingRun(options: options)
        fast.fps = 100
        for t in 0..<30 { fast.step(t >= 5 && t < 15 ? [] : [Blob(truth: 1, x: 80, y: 40)]) }
        #expect(fast.idsOf(1).count == 1)
        // Both exceeded: a new id.
        let slow = TrackingRun(options: options)
        slow.fps = 10
        for t in 0..<20 { slow.step(t >= 5 && t < 11 ? [] : [Blob(truth: 1, x: 80, y: 40)]) }
        #expect(slow.idsOf(1).count == 2)
    }

    @Test func anObjectThatLeavesAndComesBackWithinTheGraceKeepsItsId() {
        let run = TrackingRun()
        // Moves right out of the picture (200 px wide) and comes back along the same path.
        for t in 0..<24 {
            let x = t < 12 ? 150 + 5 * t : 150 + 5 * (23 - t)
            run.step([Blob(truth: 1, x: x, y: 40)])
        }
        #expect(run.idsOf(1).count == 1)
    }

    @Test func tentativeTracksAreConfirmedAfterNHits() {
        var options = TrackerOptions()
        options.confirmHits = 3
        let run = TrackingRun(options: options)
        run.step([Blob(truth: 1, x: 10, y: 10), Blob(truth: 2, x: 100, y: 60)])
        #expect(run.events.isEmpty)
        run.step([Blob(truth: 1, x: 12, y: 10)])            // 2 blinks out after one frame: no event ever
        #expect(run.events.isEmpty)
        run.step([Blob(truth: 1, x: 14, y: 10)])
        #expect(run.events.map(\.event) == [.new])
        #expect(run.events.first?.firstFrame == 0 && run.events.first?.frame == 2)
        for _ in 0..<3 { run.step([Blob(truth: 1, x: 14, y: 10)]) }
        run.finish()
        #expect(run.events.map(\.event) == [.new, .end])
        #expect(run.events.last?.reason == .endOfStream && run.events.last?.lastFrame == 5)
        // A one-frame blip after a miss is dropped: object 2's id was never reused.
        #expect(run.idsOf(2).count == 1 && run.idsOf(1).isDisjoint(with: run.idsOf(2)))
    }

    @Test func stuffKeepsOneIdPerClassAndThingsNeverCollideWithIt() {
        let run = TrackingRun()
        var stuffIDs: Set<Int32> = []
        for t in 0..<10 {
            run.step([Blob(truth: 1, x: 10 + t, y: 10)])
            let stuff = run.last!.segmentation.panoptic!.segments.filter { !$0.isThing }
            stuffIDs.formUnion(stuff.map(\.id))
        }
        #expect(stuffIDs == [Int32(SyntheticScene.sky + 1)])
        #expect(run.last!.ages[Int32(SyntheticScene.sky + 1)] == 9)
        #expect(run.idsOf(1).allSatisfy { $0 > 4 })
        run.finish()
        Self.checkInvariants(run)
    }

    @Test func theMapSegmentsAndAgesAgree() {
        let run = TrackingRun()
        for t in 0..<5 { run.step([Blob(truth: 1, x: 10 + 2 * t, y: 10), Blob(truth: 2, category: 1, x: 100, y: 50, w: 30, h: 10)]) }
        let p = run.last!.segmentation.panoptic!
        let idsInMap = Set(p.ids)
        #expect(Set(p.segments.map(\.id)) == idsInMap)
        #expect(p.segments.map(\.id) == p.segments.map(\.id).sorted())
        for s in p.segments { #expect(p.ids.filter { $0 == s.id }.count == s.area) }
        #expect(run.last!.ages[run.ids.last![1]!] == 4)
    }

    @Test func aSceneCutEndsEveryTrack() {
        let run = TrackingRun()
        for _ in 0..<5 { run.step([Blob(truth: 1, x: 50, y: 50), Blob(truth: 2, x: 120, y: 50)]) }
        run.step([Blob(truth: 1, x: 50, y: 50), Blob(truth: 2, x: 120, y: 50)], sceneCut: true)
        let ends = run.events.filter { $0.event == .end }
        #expect(ends.count == 2 && ends.allSatisfy { $0.reason == .sceneCut && $0.frame == 5 })
        #expect(run.idsOf(1).count == 2 && run.idsOf(2).count == 2)
        // Ids are not reused after the cut.
        #expect(run.ids[4].values.allSatisfy { !run.ids[5].values.contains($0) })
        run.finish()
        Self.checkInvariants(run)
    }

    @Test func aChangedVocabularyEndsEveryTrackAndTheSameOneDoesNot() {
        let run = TrackingRun()
        for _ in 0..<3 { run.step([Blob(truth: 1, x: 50, y: 50)]) }
        run.step([Blob(truth: 1, x: 50, y: 50)], vocabulary: try! Vocabulary.resolve("thing: ball; box; stuff: sky; grass"))
        #expect(!run.events.contains { $0.event == .end })
        let other = try! Vocabulary.resolve("thing: box; ball; stuff: sky; grass")
        run.step([Blob(truth: 1, x: 50, y: 50)], vocabulary: other)
        #expect(run.events.filter { $0.event == .end }.map(\.reason) == [.vocabulary])
        #expect(run.idsOf(1).count == 2)
    }

    @Test func splitAndMerge() {
        let run = TrackingRun()
        // One box splits into two halves that drift apart: one half keeps the id.
        for _ in 0..<3 { run.step([Blob(truth: 1, x: 60, y: 40, w: 40, h: 20)]) }
        let before = run.ids.last![1]!
        for t in 0..<4 { run.step([Blob(truth: 1, x: 60 - 2 * t, y: 40, w: 20, h: 20), Blob(truth: 2, x: 80 + 2 * t, y: 40, w: 20, h: 20)]) }
        #expect(run.ids[3][1] == before && run.ids[3][2] != before)
        let second = run.ids.last![2]!
        // They merge again into one box: it keeps one of the two ids, the other waits (lost).
        for _ in 0..<3 { run.step([Blob(truth: 1, x: 60, y: 40, w: 40, h: 20)]) }
        #expect([before, second].contains(run.ids.last![1]!))
        // And split again within the grace period: both ids come back.
        for t in 0..<3 { run.step([Blob(truth: 1, x: 58 - 2 * t, y: 40, w: 20, h: 20), Blob(truth: 2, x: 82 + 2 * t, y: 40, w: 20, h: 20)]) }
        #expect(Set([run.ids.last![1]!, run.ids.last![2]!]) == [before, second])
        run.finish()
        Self.checkInvariants(run)
    }

    @Test func updatesOnClassChangeScoreChangeAndInterval() {
        var options = TrackerOptions()
        options.updateScoreDelta = 0.2
        options.updateInterval = 1.0
        let run = TrackingRun(options: options)
        for _ in 0..<3 { run.step([Blob(truth: 1, x: 50, y: 50, score: 0.9)]) }
        run.step([Blob(truth: 1, x: 50, y: 50, score: 0.8)])                       // below the threshold
        run.step([Blob(truth: 1, x: 50, y: 50, score: 0.6)])                       // 0.3 from the last event
        run.step([Blob(truth: 1, category: 1, x: 50, y: 50, score: 0.6)])          // class change
        let updates = run.events.filter { $0.event == .update }
        #expect(updates.count == 2)
        #expect(updates[0].before.score == Double(Float(0.9)) && updates[0].after.score == Double(Float(0.6)))
        #expect(updates[1].before.label == "ball" && updates[1].after.label == "box" && updates[1].label == "box")
        // Unchanged for 1 s of stream time (25 frames): one more update.
        for _ in 0..<26 { run.step([Blob(truth: 1, category: 1, x: 50, y: 50, score: 0.6)]) }
        #expect(run.events.filter { $0.event == .update }.count == 3)
        #expect(run.events.first { $0.event == .new }?.bestScore == Double(Float(0.9)))
    }

    @Test func perClassMinimumScoreAndAreaGateEvents() throws {
        var options = TrackerOptions()
        try options.filter.parseScores(["0.5", "box=0.8"])
        try options.filter.parseAreas(["ball=500"])
        let run = TrackingRun(options: options)
        for t in 0..<4 {
            run.step([
                Blob(truth: 1, category: 0, x: 10, y: 10, w: 10, h: 10, score: 0.9),      // ball, 100 px: too small
                Blob(truth: 2, category: 1, x: 60, y: 10, score: 0.7),                    // box below 0.8
                Blob(truth: 3, category: 0, x: 120, y: 10, w: 30, h: 30, score: 0.9),     // ball, 900 px: events
                Blob(truth: 4, category: 1, x: 60, y: 60, score: t < 2 ? 0.7 : 0.85),     // box, passes from frame 2
            ])
        }
        run.finish()
        let news = run.events.filter { $0.event == .new }
        #expect(Set(news.map(\.id)) == [Int(run.ids[0][3]!), Int(run.ids[0][4]!)])
        #expect(news.first { $0.id == Int(run.ids[0][4]!) }?.frame == 2)
        // Filtered objects still keep their ids in the records.
        #expect(run.idsOf(1).count == 1 && run.idsOf(2).count == 1)
        Self.checkInvariants(run)
        #expect(throws: TrackerOptionError.self) { try options.filter.parseScores(["box=high"]) }
        #expect(throws: TrackerOptionError.self) { try options.filter.parseAreas(["-3"]) }
    }

    @Test func motionVectorsMoveThePreviousMask() {
        // The object jumps 30 px (more than its size) in one step: no overlap with the old mask,
        // so without motion it is a new object; with the codec's vectors it keeps its id.
        func run(motion: Bool) -> Int {
            var options = TrackerOptions()
            options.confirmHits = 1
            let r = TrackingRun(options: options)
            r.step([Blob(truth: 1, x: 40, y: 40)])
            var field: MotionField? = nil
            if motion {
                // Blocks at the new place predicted from 30 px to the left: content moved +30 px.
                let vectors = (0..<4).flatMap { by in (0..<4).map { bx in
                    MotionVector(source: -1, blockWidth: 16, blockHeight: 16, sourceX: 40 + 16 * bx - 30, sourceY: 40 + 16 * by,
                                 destinationX: 40 + 16 * bx, destinationY: 40 + 16 * by, motionX: -30 * 4, motionY: 0, motionScale: 4)
                } }
                field = MotionField(vectors: vectors, width: 200, height: 120)
            }
            r.step([Blob(truth: 1, x: 70, y: 40)], motion: field)
            return r.idsOf(1).count
        }
        #expect(run(motion: false) == 2)
        #expect(run(motion: true) == 1)
    }

    @Test func embeddingsDecideBetweenEquallyOverlappingSegments() {
        // Two objects of one class, one above the other, turn into a left and a right half of
        // the same square: each half overlaps both old masks equally; the query embeddings say
        // which is which (both ways round).
        for swapped in [false, true] {
            var options = TrackerOptions()
            options.confirmHits = 1
            let run = TrackingRun(options: options)
            let a: [Float] = [1, 0, 0], b: [Float] = [0, 1, 0]
            for _ in 0..<2 {
                run.step([Blob(truth: 1, x: 40, y: 40, w: 40, h: 20, embedding: a), Blob(truth: 2, x: 40, y: 60, w: 40, h: 20, embedding: b)])
            }
            let (left, right) = swapped ? (2, 1) : (1, 2)
            run.step([Blob(truth: left, x: 40, y: 40, w: 20, h: 40, embedding: left == 1 ? a : b),
                      Blob(truth: right, x: 60, y: 40, w: 20, h: 40, embedding: right == 1 ? a : b)])
            #expect(run.idsOf(1).count == 1 && run.idsOf(2).count == 1, "swapped \(swapped): \(run.ids)")
        }
    }

    @Test func finishEndsEveryAnnouncedTrackOnce() {
        let run = TrackingRun()
        for t in 0..<6 { run.step((1...5).map { Blob(truth: $0, x: 30 * $0 - 20 + t, y: 20 + 10 * ($0 % 3)) }) }
        run.finish()
        run.finish()
        #expect(run.events.filter { $0.event == .new }.count == 5)
        #expect(run.events.filter { $0.event == .end }.count == 5)
        #expect(run.tracker.trackCount == 0)
        Self.checkInvariants(run)
    }

    @Test func aResizedPictureCountsAsACut() {
        let run = TrackingRun()
        for _ in 0..<3 { run.step([Blob(truth: 1, x: 50, y: 50)]) }
        let small = TrackingRun(scene: SyntheticScene(width: 100, height: 100))
        let (seg, _) = small.scene.frame([Blob(truth: 1, x: 50, y: 50)])
        let out = run.tracker.track(seg, frame: 10, pts: 1, vocabulary: SyntheticScene.vocabulary)
        #expect(out.events.map(\.reason) == [.sceneCut])
    }
}

extension TrackingRun {
    /// A step at frame number `t` (frames before it were skipped).
    func frameStep(_ t: Int, _ blobs: () -> [SyntheticScene.Blob]) {
        while frame < t { skipFrame() }
        step(blobs())
    }
}
