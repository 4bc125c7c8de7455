import Testing
import FCCLIP
import LabelStream

@Suite struct LabelStreamPNGBufferTests {
    @Test func panopticRGBEncodesIds() {
        let ids: [Int32] = [0, 1, 255, 256, 70_000, 17]
        let rgb = PanopticPNG.rgb(ids: ids, width: 3, height: 2)
        #expect(rgb.count == 18)
        #expect(Array(rgb[0..<3]) == [0, 0, 0])
        #expect(Array(rgb[3..<6]) == [1, 0, 0])
        #expect(Array(rgb[6..<9]) == [255, 0, 0])
        #expect(Array(rgb[9..<12]) == [0, 1, 0])
        #expect(Array(rgb[12..<15]) == [0x70, 0x11, 0x01])  // 70000 = 0x011170
        #expect(Array(rgb[15..<18]) == [17, 0, 0])
        #expect(PanopticPNG.ids(rgb: rgb) == ids)
    }

    @Test func semanticGray8WithVoid255() {
        let b = SemanticPNG.labels([0, 1, 2, -1, 7], width: 5, height: 1, classCount: 3)
        #expect(b == .gray8([0, 1, 2, 255, 255]))
        #expect(b.bitDepth == 8)
        #expect(SemanticPNG.labels([254], width: 1, height: 1, classCount: 255) == .gray8([254]))
        #expect(SemanticPNG.voidValue(classCount: 255) == 255)
    }

    @Test func semanticGray16ForLargeVocabularies() {
        let b = SemanticPNG.labels([0, 255, 299, 300, -1], width: 5, height: 1, classCount: 300)
        #expect(b == .gray16([0, 255, 299, 65535, 65535]))
        #expect(b.bitDepth == 16)
        #expect(SemanticPNG.voidValue(classCount: 256) == 65535)
    }

    @Test func semanticBufferOfSegmentation() {
        #expect(SemanticPNG.labels(segmentation: Segmentation(height: 1, width: 1, classCount: 1)) == nil)
        let seg = RealSegmentation.make()
        #expect(SemanticPNG.labels(segmentation: seg) == .gray8(seg.semantic!.labels.map { UInt8($0) }))
        var panopticOnly = seg
        panopticOnly.semantic = nil
        guard case let .gray8(values)? = SemanticPNG.labels(segmentation: panopticOnly) else {
            Issue.record("expected gray8"); return
        }
        let category = Dictionary(uniqueKeysWithValues: seg.panoptic!.segments.map { ($0.id, UInt8($0.category)) })
        #expect(values == seg.panoptic!.ids.map { $0 == 0 ? 255 : category[$0]! })
    }
}
