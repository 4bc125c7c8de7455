import Testing
import LabelStream

/// Reference RLEs from pycocotools 2.0 (`pycocotools.mask.encode/area/toBbox`, pip
/// `pycocotools` in a Python 3.11 venv). The masks are rebuilt here by the same generators
/// (`RLEMasks`); the generating script was:
///
///     MASK = (1 << 64) - 1
///     def lcg_mask(h, w, seed, percent):          # row-major LCG, as RLEMasks.lcg
///         s = seed; m = np.zeros((h, w), np.uint8)
///         for y in range(h):
///             for x in range(w):
///                 s = (s * 6364136223846793005 + 1442695040888963407) & MASK
///                 m[y, x] = 1 if ((s >> 33) % 100) < percent else 0
///         return m
///     def circle(h, w, cy, cx, r):
///         yy, xx = np.mgrid[0:h, 0:w]; return (((yy-cy)**2 + (xx-cx)**2) <= r*r).astype(np.uint8)
///     def rect(h, w, y0, y1, x0, x1): m = np.zeros((h, w), np.uint8); m[y0:y1, x0:x1] = 1; return m
///     r = M.encode(np.asfortranarray(m)); print(r["counts"], M.area(r), M.toBbox(r))
///
/// For the label map: ids[y, x] = (lcg value) % 4, 11×13, seed 99; one `encode(ids == i)` per id.
@Suite struct RLEReferenceTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let mask: RLEMasks.Mask
        let counts: String
        let area: Int
        let bbox: [Int]
        init(_ name: String, _ mask: RLEMasks.Mask, counts: String, area: Int, bbox: [Int]) {
            self.name = name; self.mask = mask; self.counts = counts; self.area = area; self.bbox = bbox
        }
        var testDescription: String { name }
    }

    static let cases: [Case] = {
        typealias G = RLEMasks
        func zeros(_ h: Int, _ w: Int) -> G.Mask { G.zeros(h, w) }
        func ones(_ h: Int, _ w: Int) -> G.Mask { G.ones(h, w) }
        func rect(_ h: Int, _ w: Int, y: Range<Int>, x: Range<Int>) -> G.Mask { G.rect(h, w, y: y, x: x) }
        func lcg(_ h: Int, _ w: Int, seed: UInt64, percent: UInt64) -> G.Mask { G.lcg(h, w, seed: seed, percent: percent) }
        func circle(_ h: Int, _ w: Int, cy: Int, cx: Int, r: Int) -> G.Mask { G.circle(h, w, cy: cy, cx: cx, r: r) }
        return [
            Case("empty5x7", zeros(5, 7), counts: "S1", area: 0, bbox: [0, 0, 0, 0]),
            Case("full5x7", ones(5, 7), counts: "0S1", area: 35, bbox: [0, 0, 7, 5]),
            Case("single5x7", rect(5, 7, y: 2..<3, x: 3..<4), counts: "a01a0", area: 1, bbox: [3, 2, 1, 1]),
            Case("origin4x3", rect(4, 3, y: 0..<1, x: 0..<1), counts: "01;", area: 1, bbox: [0, 0, 1, 1]),
            Case("one1x1", ones(1, 1), counts: "01", area: 1, bbox: [0, 0, 1, 1]),
            Case("zero1x1", zeros(1, 1), counts: "1", area: 0, bbox: [0, 0, 0, 0]),
            Case("lcg13x17p50", lcg(13, 17, seed: 1, percent: 50), counts: "322OO12ON00050N1MO12ON12ON010O010O20N10O022N010OO20N00O210O00N01210ONO032NNO29OG21M00O0012ON10O1101OO0O01140KO11OO00101", area: 106, bbox: [0, 0, 17, 13]),
            Case("lcg31x23p10", lcg(31, 23, seed: 7, percent: 10), counts: "2130>0G0L03020M0O0L010001050d01\\OOd00F0N0H0M0b00ZO00041MOg00@0O0J040L13O406030I0I020<1@0c0O\\O04020L07000H0b00^O021>ON0M060^O10O1050M0O0101020N0O0;0L0H010a005", area: 79, bbox: [0, 0, 23, 31]),
            Case("lcg9x41p90", lcg(9, 41, seed: 12345, percent: 90), counts: "04130J010[10eN18OJ050J02000M0e00J1DOn00UO0M0;1AO30?0_O1c0O_O0N04010=030_O0M21", area: 330, bbox: [0, 0, 41, 9]),
            Case("circle47x65", circle(47, 65, cy: 20, cx: 30, r: 15), counts: "ef01Y1:I4L4M2N2N2O0O2O0O2O0000000O20N100000001N101N101N2N2N3L4L7F^k0", area: 709, bbox: [15, 5, 31, 31]),
            Case("long2000x3", rect(2000, 3, y: 10..<1500, x: 0..<2), counts: ":b^1n?0Vn1", area: 2980, bbox: [0, 10, 2, 1490]),
            Case("tall1201x5", rect(1201, 5, y: 0..<1201, x: 1..<4), counts: "aU1c`3aU1", area: 3603, bbox: [1, 0, 3, 1201]),
            Case("big333x301", circle(333, 301, cy: 150, cx: 140, r: 120), counts: "jd61m9n0[O<E:G8H8I6J6J6K4L4K6K4L4L4L4M2M4L4M2M4M2M4M2M4M2N2N2M4M2N2N2N2N2N2N2N2N2N2N2N2N2N2N2O0O2N2N2N2O0O2N2O0O2N2O0O2N2O0O2O0O2N2O0O2O0O2O0O2O0O2O000O2O0O2O0O2O000O2O000O2O000O2O00000O2O00000O2O0000000O2O000000000O2O000000000000000000000000000O20N10000000000000000000000000001N10000000001N100000001N1000001N1000001N10001N10001N10001N101N101N10001N101N101N101N101N2N101N101N2N101N2N101N2N101N2N2N2N101N2N2N2N2N2N2N2N2N2N2N2N2N2N2N3L3N2N2N3L3N3L3N3L3N3L4L3N3L4L4L4L5J5L4L5J6J6J7H8H9F;De0ROQl<", area: 45225, bbox: [20, 30, 241, 241]),
        ]
    }()

    static let labelMapCounts: [Int32: String] = [
        0: "11112OO0O25NK060J01031LO003010O0O0N050N0N0000011OO70O0J31MN03020",
        1: "0142NNO052OOLO100000O02030N0412O10F030N0O1207OM0L0102",
        2: "216010N0L13O;0B040M02010M1O020OO0031:OB0010O1021NO0022MN0",
        3: "`011090K0M0O00061KOO022ON30M020O0O00060J0022NM010>1EOM",
    ]

    @Test(arguments: cases) func matchesPycocotools(_ c: Case) throws {
        let rle = COCORLE(bytes: c.mask.bytes, height: c.mask.height, width: c.mask.width)
        #expect(rle.string == c.counts)
        #expect(rle.area == c.area)
        #expect(rle.bbox == c.bbox)
        #expect(rle.size == [c.mask.height, c.mask.width])
        // The string parses back to the same runs, and the runs to the same mask.
        let parsed = try COCORLE(height: c.mask.height, width: c.mask.width, string: c.counts)
        #expect(parsed == rle)
        #expect(parsed.decode() == c.mask.bytes)
    }

    @Test(arguments: cases) func binaryMaskEncoderAgrees(_ c: Case) {
        let rle = COCORLE(mask: c.mask.binaryMask)
        #expect(rle.string == c.counts)
        #expect(rle.decodeMask() == c.mask.binaryMask)
    }

    @Test func labelMapMatchesPycocotools() {
        let (h, w) = (11, 13)
        var s: UInt64 = 99
        var ids: [Int32] = []
        for _ in 0..<(h * w) {
            s = s &* 6364136223846793005 &+ 1442695040888963407
            ids.append(Int32((s >> 33) % 4))
        }
        let all = COCORLE.encodeAll(labels: ids, height: h, width: w)
        #expect(Set(all.keys) == [0, 1, 2, 3])
        for (id, counts) in Self.labelMapCounts {
            #expect(all[id]?.string == counts, "id \(id)")
        }
    }
}
