import Foundation
import Testing
import CLIP
import FCCLIP
import LabelStream

enum RecordFixtures {
    static func vocabulary() throws -> Vocabulary {
        try Vocabulary(classes: [
            (synonyms: ["forklift", "lift truck"], isThing: true),
            (synonyms: ["floor"], isThing: false),
            (synonyms: ["person \"worker\""], isThing: true),
        ])
    }

    /// 4×6 panoptic map: id 1 = floor (stuff), id 2 = forklift, id 3 = person; one void pixel.
    static let ids: [Int32] = [
        1, 1, 1, 1, 1, 1,
        1, 2, 2, 1, 3, 1,
        1, 2, 2, 1, 3, 0,
        1, 1, 1, 1, 1, 1,
    ]

    static let segments = [
        PanopticSegmentInfo(id: 1, category: 1, isThing: false, score: 0.75),
        PanopticSegmentInfo(id: 2, category: 0, isThing: true, score: 0.91),
        PanopticSegmentInfo(id: 3, category: 2, isThing: true, score: 0.5),
    ]

    static func metadata() -> FrameMetadata {
        FrameMetadata(stream: "dock-cam", frame: 1234, pts: 49.36, keyframe: true, vocabVersion: 3)
    }
}

@Suite struct RecordTests {
    @Test func exactLineForHandBuiltRecord() {
        let record = FrameRecord(
            stream: "dock-cam", frame: 1234, pts: 49.36, keyframe: false, vocabVersion: 3,
            width: 1280, height: 720, droppedBefore: 2,
            segments: [SegmentRecord(id: 17, label: "fork\"lift\\", category: 4, isThing: true, score: 0.912345,
                                     area: 5230, bbox: [412, 188, 96, 120],
                                     rle: RLERecord(size: [720, 1280], counts: "abc"))])
        let expected = #"{"stream":"dock-cam","frame":1234,"pts":49.36,"keyframe":false,"vocab_version":3,"width":1280,"height":720,"dropped_before":2,"segments":[{"id":17,"label":"fork\"lift\\","category":4,"isthing":true,"score":0.9123,"area":5230,"bbox":[412,188,96,120],"rle":{"size":[720,1280],"counts":"abc"}}],"type":"frame"}"#
        #expect(record.jsonLine() == expected)
    }

    @Test func builtFromPanopticSegmentation() throws {
        let vocabulary = try RecordFixtures.vocabulary()
        let m = RecordFixtures.metadata()
        let record = FrameRecord(stream: m.stream, frame: m.frame, pts: m.pts, keyframe: m.keyframe,
                                 vocabVersion: m.vocabVersion, width: 6, height: 4,
                                 segments: FrameRecord.segments(panopticIDs: RecordFixtures.ids, height: 4, width: 6,
                                                                segments: RecordFixtures.segments, vocabulary: vocabulary))
        let line = record.jsonLine()
        #expect(!line.contains("\n"))

        // Key order of the line: the design's.
        let topKeys = ["stream", "frame", "pts", "keyframe", "vocab_version", "width", "height", "dropped_before", "segments"]
        let segmentKeys = ["id", "label", "category", "isthing", "score", "area", "bbox", "rle"]
        #expect(Self.keyPositions(topKeys, in: line).isSorted)
        let firstSegment = String(line[line.range(of: "[{")!.lowerBound...])
        #expect(Self.keyPositions(segmentKeys + ["size", "counts"], in: firstSegment).isSorted)

        // Values, read back with JSONSerialization.
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(Set(object.keys) == Set(topKeys + ["type"]))
        #expect(object["type"] as? String == "frame")
        #expect(object["stream"] as? String == "dock-cam")
        #expect(object["frame"] as? Int == 1234)
        #expect(object["pts"] as? Double == 49.36)
        #expect(object["keyframe"] as? Bool == true)
        #expect(object["vocab_version"] as? Int == 3)
        #expect(object["width"] as? Int == 6)
        #expect(object["height"] as? Int == 4)
        #expect(object["dropped_before"] as? Int == 0)
        let segments = try #require(object["segments"] as? [[String: Any]])
        #expect(segments.count == 3)
        #expect(segments.map { $0["id"] as? Int } == [1, 2, 3])
        #expect(segments.map { $0["label"] as? String } == ["floor", "forklift", "person \"worker\""])
        #expect(segments.map { $0["category"] as? Int } == [1, 0, 2])
        #expect(segments.map { $0["isthing"] as? Bool } == [false, true, true])
        #expect(segments.map { $0["score"] as? Double } == [0.75, 0.91, 0.5])
        #expect(segments.map { $0["area"] as? Int } == [17, 4, 2])
        #expect(segments.map { $0["bbox"] as? [Int] } == [[0, 0, 6, 4], [1, 1, 2, 2], [4, 1, 1, 2]])
        let rle = try #require(segments[1]["rle"] as? [String: Any])
        #expect(Set(rle.keys) == ["size", "counts"])
        #expect(rle["size"] as? [Int] == [4, 6])

        // Each rle decodes to exactly its id's pixels.
        for s in record.segments {
            let mask = try s.rle.decoded().decode()
            #expect(mask == RecordFixtures.ids.map { $0 == Int32(s.id) ? 1 : 0 })
        }

        // JSONDecoder reads the line back into the same record (scores are exact here
        // except 0.91, which the line rounds to 4 decimals).
        let back = try JSONDecoder().decode(FrameRecord.self, from: Data(line.utf8))
        #expect(back.segments.map(\.id) == record.segments.map(\.id))
        #expect(back.segments.map(\.rle) == record.segments.map(\.rle))
        #expect(back.segments[1].score == 0.91)
        #expect(back.stream == record.stream && back.pts == record.pts && back.frame == record.frame)
    }

    @Test func instancesGetIdsInScoreOrder() throws {
        let vocabulary = try RecordFixtures.vocabulary()
        func mask(_ pixels: [Int]) -> BinaryMask {
            var m = BinaryMask(height: 3, width: 3)
            for p in pixels { m.set(p) }
            return m
        }
        let instances = [
            InstanceInfo(category: 2, score: 0.25, mask: mask([0, 1])),
            InstanceInfo(category: 0, score: 0.75, mask: mask([4, 5, 8])),
            InstanceInfo(category: 2, score: 0.5, mask: mask([])),
        ]
        let segments = FrameRecord.segments(instances: instances, vocabulary: vocabulary)
        #expect(segments.map(\.id) == [1, 2, 3])
        #expect(segments.map(\.score) == [0.75, 0.5, 0.25])
        #expect(segments.map(\.category) == [0, 2, 2])
        #expect(segments.map(\.area) == [3, 0, 2])
        #expect(segments[0].bbox == [1, 1, 2, 2])
        #expect(segments[1].bbox == [0, 0, 0, 0])
        #expect(segments[0].label == "forklift")
    }

    @Test func semanticOnlyAndEmpty() throws {
        let vocabulary = try RecordFixtures.vocabulary()
        let segments = FrameRecord.segments(semanticLabels: [1, 1, 0, 2], maxScores: [0.5, 0.25, 1, 0.75],
                                            height: 2, width: 2, vocabulary: vocabulary)
        #expect(segments.map(\.category) == [0, 1, 2])
        #expect(segments.map(\.id) == [1, 2, 3])
        #expect(segments.map(\.area) == [1, 2, 1])
        #expect(segments[1].score == 0.375)
        #expect(FrameRecord.segments(of: Segmentation(height: 2, width: 2, classCount: 3), vocabulary: vocabulary).isEmpty)
    }

    @Test func numberFormatting() {
        func line(score: Double, pts: Double) -> String {
            FrameRecord(stream: "s", frame: 0, pts: pts, keyframe: true, vocabVersion: 1, width: 1, height: 1,
                        segments: [SegmentRecord(id: 1, label: "x", category: 0, isThing: false, score: score,
                                                 area: 1, bbox: [0, 0, 1, 1], rle: RLERecord(size: [1, 1], counts: "01"))])
                .jsonLine()
        }
        #expect(line(score: 1, pts: 0).contains(#""pts":0,"#))
        #expect(line(score: 1, pts: 0).contains(#""score":1,"#))
        #expect(line(score: 0.00004, pts: 1e-7).contains(#""score":0,"#))
        #expect(line(score: 0.00005, pts: 12.0000005).contains(#""score":0.0001,"#))
        #expect(line(score: 0.123456, pts: 3600.25).contains(#""pts":3600.25,"#))
        #expect(line(score: 0.123456, pts: 3600.25).contains(#""score":0.1235,"#))
        #expect(line(score: .nan, pts: -1.5).contains(#""score":0,"#))
        #expect(line(score: .nan, pts: -1.5).contains(#""pts":-1.5,"#))
        #expect(line(score: 0.5, pts: 1).contains(#""label":"x","#))
    }

    @Test func stringEscaping() throws {
        let label = "tab\there\nnew \u{01} ünï 🚜 \u{2028}"
        let r = SegmentRecord(id: 1, label: label, category: 0, isThing: true, score: 1, area: 0,
                              bbox: [0, 0, 0, 0], rle: RLERecord(size: [0, 0], counts: ""))
        let json = r.jsonObject()
        #expect(json.contains(#"tab\there\nnew \u0001 ünï 🚜 \u2028"#))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["label"] as? String == label)
    }

    static func keyPositions(_ keys: [String], in line: String) -> [Int] {
        keys.map { key in
            guard let r = line.range(of: "\"\(key)\":") else { return -1 }
            return line.distance(from: line.startIndex, to: r.lowerBound)
        }
    }
}

extension Array where Element == Int {
    var isSorted: Bool { !contains(-1) && zip(self, dropFirst()).allSatisfy { $0 < $1 } }
}

@Suite struct RecordFromSegmentationTests {
    /// The `Segmentation` entry point on real post-processing output: one record per panoptic
    /// segment, ids and masks as in the panoptic map; then the instance fallback.
    @Test func panopticThenInstances() throws {
        let vocabulary = try RecordFixtures.vocabulary()
        var seg = RealSegmentation.make()
        let panoptic = try #require(seg.panoptic)
        #expect(panoptic.segments.count == 3)
        let record = FrameRecord(segmentation: seg, vocabulary: vocabulary, metadata: RecordFixtures.metadata())
        #expect(record.width == 16 && record.height == 16)
        #expect(record.segments.map { Int32($0.id) } == panoptic.segments.map(\.id))
        for (r, s) in zip(record.segments, panoptic.segments) {
            #expect(r.category == s.category && r.isThing == s.isThing && r.area == s.area)
            #expect(r.label == vocabulary.classes[s.category].name)
            #expect(try r.rle.decoded().decode() == panoptic.ids.map { $0 == s.id ? 1 : 0 })
        }
        #expect(Set(record.segments.map(\.label)) == ["forklift", "floor", "person \"worker\""])

        seg.panoptic = nil
        let instances = try #require(seg.instances)
        let fromInstances = FrameRecord.segments(of: seg, vocabulary: vocabulary)
        #expect(fromInstances.map(\.id) == Array(1...instances.count))
        #expect(fromInstances.map(\.score) == instances.map { Double($0.score) }.sorted(by: >))

        seg.instances = nil
        let fromSemantic = FrameRecord.segments(of: seg, vocabulary: vocabulary)
        #expect(fromSemantic.map(\.area).reduce(0, +) == 256)
    }
}
