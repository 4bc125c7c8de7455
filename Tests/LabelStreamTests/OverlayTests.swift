import Testing
import CLIP
import FCCLIP
import LabelStream

@Suite struct OverlayTests {
    /// A 120×90 gradient image with a 20×20 "forklift" square at (60…79, 40…59) and one
    /// "floor" pixel row at the bottom-left; everything else unlabelled.
    static func fixture() throws -> (RGBImage, Overlay.LabelMap, Vocabulary) {
        let (w, h) = (120, 90)
        var pixels = [UInt8](repeating: 0, count: w * h * 3)
        for y in 0..<h { for x in 0..<w {
            let o = (y * w + x) * 3
            pixels[o] = UInt8(x * 2 % 256); pixels[o + 1] = UInt8(y * 2 % 256); pixels[o + 2] = 100
        } }
        var ids = [Int32](repeating: 0, count: w * h)
        for y in 40..<60 { for x in 60..<80 { ids[y * w + x] = 2 } }
        for x in 0..<30 { ids[(h - 1) * w + x] = 1 }
        let map = Overlay.LabelMap.panoptic(ids: ids, height: h, width: w, segments: [
            PanopticSegmentInfo(id: 1, category: 1, isThing: false, score: 0.9),
            PanopticSegmentInfo(id: 2, category: 0, isThing: true, score: 0.8),
        ])
        return (try RGBImage(width: w, height: h, pixels: pixels), map, try RecordFixtures.vocabulary())
    }

    static func pixel(_ image: RGBImage, _ x: Int, _ y: Int) -> [UInt8] {
        let o = (y * image.width + x) * 3
        return Array(image.pixels[o..<(o + 3)])
    }

    @Test func drawsMasksOutlinesAndLegend() throws {
        let (image, map, vocabulary) = try Self.fixture()
        let out = Overlay.render(image: image, labelMap: map, vocabulary: vocabulary)
        #expect(out.width == image.width && out.height == image.height)
        let forklift = OverlayPalette.color(forClass: 0)
        // Inside the square: 50 % blend of source and class colour.
        let src = Self.pixel(image, 70, 50), inside = Self.pixel(out, 70, 50)
        #expect(inside != src)
        let expected = zip(src, [forklift.r, forklift.g, forklift.b]).map { UInt8((Int($0) * 128 + Int($1) * 128 + 128) >> 8) }
        #expect(inside == expected)
        // Outline: the square's border pixel has the opaque class colour.
        #expect(Self.pixel(out, 60, 50) == [forklift.r, forklift.g, forklift.b])
        // Unlabelled pixel far from the legend: unchanged.
        #expect(Self.pixel(out, 110, 80) == Self.pixel(image, 110, 80))
        // Legend (top left): the first (largest) class's swatch colour appears there, and the
        // box darkened the background.
        var swatchFound = false
        for y in 0..<30 { for x in 0..<30 where Self.pixel(out, x, y) == [forklift.r, forklift.g, forklift.b] { swatchFound = true } }
        #expect(swatchFound)
        let floor = OverlayPalette.color(forClass: 1)
        var floorSwatch = false
        for y in 0..<40 { for x in 0..<30 where Self.pixel(out, x, y) == [floor.r, floor.g, floor.b] { floorSwatch = true } }
        #expect(floorSwatch)
        // Legend text is white.
        var white = false
        for y in 0..<40 { for x in 0..<110 where Self.pixel(out, x, y) == [255, 255, 255] { white = true } }
        #expect(white)
        // Deterministic.
        #expect(Overlay.render(image: image, labelMap: map, vocabulary: vocabulary) == out)
        // Without legend and outlines only the blend changes pixels.
        let plain = Overlay.render(image: image, labelMap: map, vocabulary: vocabulary,
                                   options: .init(outlines: false, legend: false))
        #expect(Self.pixel(plain, 4, 4) == Self.pixel(image, 4, 4))
        #expect(Self.pixel(plain, 60, 50) != [forklift.r, forklift.g, forklift.b])
    }

    @Test func tinyAndOddImagesDoNotCrash() throws {
        let vocabulary = try RecordFixtures.vocabulary()
        for (w, h) in [(1, 1), (2, 1), (1, 3), (5, 5), (13, 9), (40, 12), (9, 200), (300, 14)] {
            let image = try RGBImage(width: w, height: h, pixels: [UInt8](repeating: 77, count: w * h * 3))
            let ids = (0..<(w * h)).map { Int32($0 % 3) }
            let map = Overlay.LabelMap.panoptic(ids: ids, height: h, width: w, segments: [
                PanopticSegmentInfo(id: 1, category: 1, isThing: false, score: 1),
                PanopticSegmentInfo(id: 2, category: 2, isThing: true, score: 1),
            ])
            let out = Overlay.render(image: image, labelMap: map, vocabulary: vocabulary)
            #expect(out.width == w && out.height == h && out.pixels.count == w * h * 3)
            // A map of another size is scaled, not a crash.
            let big = Overlay.render(image: image, labelMap: Overlay.LabelMap.semantic(labels: [0, 1, 2, 1, 0, 2], height: 2, width: 3),
                                     vocabulary: vocabulary)
            #expect(big.pixels.count == w * h * 3)
        }
    }

    @Test func manyClassesAndLongLabelsStayInside() throws {
        let labels = (0..<40).map { (synonyms: ["class number \($0) with a long ünicode label"], isThing: true) }
        let vocabulary = try Vocabulary(classes: labels)
        let (w, h) = (90, 60)
        let image = try RGBImage(width: w, height: h, pixels: [UInt8](repeating: 200, count: w * h * 3))
        let map = Overlay.LabelMap.semantic(labels: (0..<(w * h)).map { Int32($0 % 40) }, height: h, width: w)
        let out = Overlay.render(image: image, labelMap: map, vocabulary: vocabulary)
        #expect(out.pixels.count == image.pixels.count)
        // The legend box leaves the right and bottom margins alone.
        #expect(Self.pixel(out, w - 1, 0) != [0, 0, 0])
    }

    @Test func fromSegmentation() throws {
        let seg = RealSegmentation.make()
        let image = try RGBImage(width: 16, height: 16, pixels: [UInt8](repeating: 30, count: 16 * 16 * 3))
        let out = Overlay.render(image: image, segmentation: seg, vocabulary: try RecordFixtures.vocabulary(),
                                 options: .init(legend: false))
        #expect(out != image)
        let empty = Overlay.render(image: image, segmentation: Segmentation(height: 16, width: 16, classCount: 3),
                                   vocabulary: try RecordFixtures.vocabulary())
        #expect(empty == image)
    }

    @Test func paletteIsDeterministicAndDistinct() {
        let colors = (0..<200).map { OverlayPalette.color(forClass: $0) }
        #expect(colors.map { [$0.r, $0.g, $0.b] } == (0..<200).map { let c = OverlayPalette.color(forClass: $0); return [c.r, c.g, c.b] })
        for i in 1..<colors.count {
            #expect([colors[i].r, colors[i].g, colors[i].b] != [colors[i - 1].r, colors[i - 1].g, colors[i - 1].b])
        }
    }
}
