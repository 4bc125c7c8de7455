import Testing
import LabelStream

@Suite struct PanopticIDTests {
    @Test func encodesAsCOCODoes() {
        // COCO panopticapi: id = R + 256·G + 256²·B.
        #expect(PanopticID.rgb(0) == (0, 0, 0))
        #expect(PanopticID.rgb(17) == (17, 0, 0))
        #expect(PanopticID.rgb(256 + 2) == (2, 1, 0))
        #expect(PanopticID.rgb(3 * 65536 + 4 * 256 + 5) == (5, 4, 3))
        for id: Int32 in [0, 1, 255, 256, 65535, 65536, 1 << 24 - 1] {
            let c = PanopticID.rgb(id)
            #expect(PanopticID.id(r: c.r, g: c.g, b: c.b) == id)
        }
    }
}
