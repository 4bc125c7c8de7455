import CLIP
import FCCLIP

/// A person-readable picture of a segmentation: each class's colour (`OverlayPalette`) blended
/// over the image, segment outlines in the opaque class colour, and a legend box (top left)
/// listing the classes present, largest area first, each with its colour swatch and label.
public enum Overlay {
    public struct Options: Sendable, Equatable {
        /// Opacity of the class colour over masked pixels (0…1).
        public var alpha: Double
        /// Whether segment outlines are drawn.
        public var outlines: Bool
        /// Whether the legend is drawn.
        public var legend: Bool
        /// Instances below this score are not drawn (only used when the segmentation has no
        /// panoptic or semantic output).
        public var minInstanceScore: Float
        /// Things are coloured by their segment id (a track id, stable across frames) instead of
        /// their class, and each shows its id at the top left of its box. Stuff keeps its class
        /// colour; the legend still lists classes.
        public var tracks: Bool

        public init(alpha: Double = 0.5, outlines: Bool = true, legend: Bool = true, minInstanceScore: Float = 0.5,
                    tracks: Bool = false) {
            self.alpha = alpha
            self.outlines = outlines
            self.legend = legend
            self.minInstanceScore = minInstanceScore
            self.tracks = tracks
        }
    }

    /// Draws `segmentation` over `image`. The drawn map is, in order of preference, the
    /// panoptic map, the semantic map, or the instances (see `Options.minInstanceScore`).
    /// A segmentation of another size than the image is scaled by nearest neighbour.
    /// Deterministic: the same inputs give the same pixels.
    public static func render(image: RGBImage, segmentation: Segmentation, vocabulary: Vocabulary,
                              options: Options = Options()) -> RGBImage {
        guard let map = LabelMap(segmentation, minInstanceScore: options.minInstanceScore) else { return image }
        return render(image: image, labelMap: map, vocabulary: vocabulary, options: options)
    }

    /// Draws a label map over `image` (scaled by nearest neighbour when the sizes differ).
    public static func render(image: RGBImage, labelMap regions: LabelMap, vocabulary: Vocabulary,
                              options: Options = Options()) -> RGBImage {
        var out = image
        let W = image.width, H = image.height
        let sw = regions.width, sh = regions.height
        guard sw > 0, sh > 0 else { return out }
        // Nearest-neighbour lookup from image pixels to segmentation pixels.
        let xMap = (0..<W).map { min(sw - 1, $0 * sw / W) }
        let yMap = (0..<H).map { min(sh - 1, $0 * sh / H) }
        func source(_ x: Int, _ y: Int) -> Int { yMap[y] * sw + xMap[x] }

        let a = Int((max(0, min(1, options.alpha)) * 256).rounded())
        var area: [Int32: Int] = [:]
        var colors: [Int32: (r: UInt8, g: UInt8, b: UInt8)] = [:]
        // With `tracks`: colours of thing regions by region id, and their boxes (image pixels).
        let isThing = vocabulary.classes.map(\.isThing)
        var trackColors: [Int32: (r: UInt8, g: UInt8, b: UInt8)] = [:]
        var boxes: [Int32: (x0: Int, y0: Int, x1: Int, y1: Int)] = [:]
        regions.region.withUnsafeBufferPointer { region in
            regions.category.withUnsafeBufferPointer { category in
                out.pixels.withUnsafeMutableBufferPointer { px in
                    for y in 0..<H {
                        for x in 0..<W {
                            let s = source(x, y)
                            let c = category[s]
                            guard c >= 0 else { continue }
                            area[c, default: 0] += 1
                            var color: (r: UInt8, g: UInt8, b: UInt8)
                            if let known = colors[c] {
                                color = known
                            } else {
                                color = OverlayPalette.color(forClass: Int(c))
                                colors[c] = color
                            }
                            let r = region[s]
                            if options.tracks, Int(c) < isThing.count, isThing[Int(c)] {
                                if let known = trackColors[r] {
                                    color = known
                                } else {
                                    color = OverlayPalette.color(forClass: Int(r))
                                    trackColors[r] = color
                                }
                                if let b = boxes[r] {
                                    boxes[r] = (min(b.x0, x), min(b.y0, y), max(b.x1, x), max(b.y1, y))
                                } else {
                                    boxes[r] = (x, y, x, y)
                                }
                            }
                            var edge = false
                            if options.outlines {
                                edge = (x > 0 && region[source(x - 1, y)] != r)
                                    || (x + 1 < W && region[source(x + 1, y)] != r)
                                    || (y > 0 && region[source(x, y - 1)] != r)
                                    || (y + 1 < H && region[source(x, y + 1)] != r)
                            }
                            let o = (y * W + x) * 3
                            if edge {
                                px[o] = color.r; px[o + 1] = color.g; px[o + 2] = color.b
                            } else {
                                px[o] = blend(px[o], color.r, a)
                                px[o + 1] = blend(px[o + 1], color.g, a)
                                px[o + 2] = blend(px[o + 2], color.b, a)
                            }
                        }
                    }
                }
            }
        }
        if options.tracks {
            // Each thing's id in a small dark box at the top left of its box.
            let s = OverlayLegend.scale(width: W, height: H)
            var canvas = Canvas(image: out)
            for (id, b) in boxes.sorted(by: { $0.key < $1.key }) {
                let text = Array(String(id))
                let w = (text.count * BitmapFont.advance + 1) * s, h = (BitmapFont.glyphHeight + 2) * s
                canvas.darken(x: b.x0, y: b.y0, width: w, height: h, keep: 80)
                canvas.text(text, x: b.x0 + s, y: b.y0 + s, scale: s, color: trackColors[id] ?? (255, 255, 255))
            }
            out = canvas.image
        }
        if options.legend {
            let present = area.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            let entries = present.map { item -> OverlayLegend.Entry in
                let c = Int(item.key)
                let label = vocabulary.classes.indices.contains(c) ? vocabulary.classes[c].name : "class \(c)"
                return OverlayLegend.Entry(label: label, color: colors[item.key]!)
            }
            OverlayLegend.draw(entries, on: &out)
        }
        return out
    }

    /// `(src·(256−a) + color·a) / 256`, rounded.
    @inline(__always)
    static func blend(_ src: UInt8, _ color: UInt8, _ a: Int) -> UInt8 {
        UInt8((Int(src) * (256 - a) + Int(color) * a + 128) >> 8)
    }
}
