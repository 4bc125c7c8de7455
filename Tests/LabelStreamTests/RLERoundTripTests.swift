import Testing
import FCCLIP
import LabelStream

@Suite struct RLERoundTripTests {
    /// Area and bbox straight from the pixels (the reference for random masks).
    static func areaAndBox(_ m: RLEMasks.Mask) -> (Int, [Int]) {
        var area = 0, x0 = Int.max, y0 = Int.max, x1 = -1, y1 = -1
        for y in 0..<m.height {
            for x in 0..<m.width where m.bytes[y * m.width + x] != 0 {
                area += 1; x0 = min(x0, x); y0 = min(y0, y); x1 = max(x1, x); y1 = max(y1, y)
            }
        }
        return (area, area == 0 ? [0, 0, 0, 0] : [x0, y0, x1 - x0 + 1, y1 - y0 + 1])
    }

    @Test func randomMasksRoundTrip() throws {
        var seed: UInt64 = 1
        for (h, w) in [(1, 1), (1, 9), (9, 1), (3, 5), (17, 11), (64, 33), (101, 3)] {
            for percent: UInt64 in [0, 3, 50, 97, 100] {
                seed += 1
                let m = RLEMasks.lcg(h, w, seed: seed, percent: percent)
                let rle = COCORLE(bytes: m.bytes, height: h, width: w)
                #expect(rle.decode() == m.bytes)
                #expect(rle.decodeMask() == m.binaryMask)
                #expect(COCORLE(mask: m.binaryMask) == rle)
                #expect(try COCORLE(height: h, width: w, string: rle.string) == rle)
                #expect(rle.counts.reduce(0, +) == h * w)
                let (area, box) = Self.areaAndBox(m)
                #expect(rle.area == area)
                #expect(rle.bbox == box)
            }
        }
    }

    @Test func encodeAllAgreesWithPerLabelEncoding() {
        var s: UInt64 = 5
        for (h, w, labels) in [(1, 1, 1), (7, 1, 3), (1, 7, 3), (23, 19, 6), (40, 50, 2)] {
            var ids: [Int32] = []
            for i in 0..<(h * w) {
                s = s &* 6364136223846793005 &+ 1442695040888963407
                // Blocky with noise, so runs cross column boundaries.
                ids.append((i / 7) % 3 == 0 ? Int32((s >> 33) % UInt64(labels)) : Int32((i / 5) % labels))
            }
            let all = COCORLE.encodeAll(labels: ids, height: h, width: w)
            #expect(Set(all.keys) == Set(ids))
            for (id, rle) in all {
                let single = ids.withUnsafeBufferPointer { p in COCORLE.encode(height: h, width: w) { p[$0] == id } }
                #expect(rle == single, "id \(id) in \(h)x\(w)")
            }
        }
    }

    @Test func longRunsUseSeveralChunks() throws {
        // 1,000,000 pixels set after 123,456 zeros: each count takes 4+ chunks.
        let rle = try COCORLE(height: 1000, width: 1200, counts: [123_456, 1_000_000, 76_544])
        let back = try COCORLE(height: 1000, width: 1200, string: rle.string)
        #expect(back.counts == rle.counts)
        #expect(rle.string.count > 6)
        #expect(rle.area == 1_000_000)
    }

    @Test func malformedInputIsRejected() {
        #expect(throws: COCORLEError.self) { try COCORLE(height: 2, width: 2, counts: [1, 2]) }
        #expect(throws: COCORLEError.self) { try COCORLE(height: 2, width: 2, counts: [5, -1]) }
        #expect(throws: COCORLEError.self) { try COCORLE(height: 2, width: 2, string: "4 ") }
        #expect(throws: COCORLEError.self) { try COCORLE(height: 2, width: 2, string: "P") }  // unfinished number
        #expect(throws: COCORLEError.self) { try COCORLE(height: 2, width: 2, string: "3") }  // covers 3 of 4
    }
}
