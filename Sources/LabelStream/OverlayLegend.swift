import FCCLIP

/// The legend box of an overlay: a dark translucent box in the top-left corner with one line
/// per class (swatch + label in `BitmapFont`), scaled up ×2, ×3… on large images.
///
/// It always stays inside the image: labels that do not fit are truncated (last character
/// replaced by `~`), classes that do not fit are summarised by a last line "+N more", and the
/// legend is left out when not even one line fits (e.g. a 1×1 image).
enum OverlayLegend {
    struct Entry {
        var label: String
        var color: (r: UInt8, g: UInt8, b: UInt8)
    }

    /// Layout in pixels for scale `s`.
    struct Metrics {
        let s: Int
        var margin: Int { 4 * s }
        var pad: Int { 3 * s }
        var swatch: Int { BitmapFont.glyphHeight * s }
        var gap: Int { 4 * s }
        var advance: Int { BitmapFont.advance * s }
        var lineHeight: Int { (BitmapFont.glyphHeight + 3) * s }
        /// Space between lines (part of `lineHeight` not used by a glyph).
        var leading: Int { lineHeight - BitmapFont.glyphHeight * s }
    }

    /// Scale for an image: 1 up to 799 pixels on the short side, then +1 per 400 pixels.
    static func scale(width: Int, height: Int) -> Int { max(1, min(width, height) / 400) }

    static func draw(_ entries: [Entry], on image: inout RGBImage) {
        guard !entries.isEmpty else { return }
        let m = Metrics(s: scale(width: image.width, height: image.height))
        let availableWidth = image.width - 2 * m.margin
        let availableHeight = image.height - 2 * m.margin
        let maxLines = (availableHeight - 2 * m.pad + m.leading) / m.lineHeight
        guard maxLines >= 1, availableWidth >= 2 * m.pad + m.swatch else { return }
        let maxChars = max(0, (availableWidth - 2 * m.pad - m.swatch - m.gap + m.s) / m.advance)

        // Lines: (swatch colour or nil, text).
        var lines: [(color: (r: UInt8, g: UInt8, b: UInt8)?, text: [Character])] = []
        let shown = entries.count <= maxLines ? entries.count : max(1, maxLines - 1)
        for e in entries.prefix(shown) {
            lines.append((e.color, truncate(Array(e.label), to: maxChars)))
        }
        if shown < entries.count && lines.count < maxLines {
            lines.append((nil, truncate(Array("+\(entries.count - shown) more"), to: maxChars + (m.swatch + m.gap) / m.advance)))
        }

        var textWidth = 0
        for line in lines {
            let indent = line.color == nil ? 0 : m.swatch + (line.text.isEmpty ? 0 : m.gap)
            let text = line.text.isEmpty ? 0 : line.text.count * m.advance - m.s
            textWidth = max(textWidth, indent + text)
        }
        let boxWidth = min(availableWidth, 2 * m.pad + textWidth)
        let boxHeight = 2 * m.pad + lines.count * m.lineHeight - m.leading
        var canvas = Canvas(image: image)
        canvas.darken(x: m.margin, y: m.margin, width: boxWidth, height: boxHeight, keep: 64)
        for (i, line) in lines.enumerated() {
            let top = m.margin + m.pad + i * m.lineHeight
            var left = m.margin + m.pad
            if let c = line.color {
                canvas.fill(x: left, y: top, width: m.swatch, height: m.swatch, color: c)
                left += m.swatch + m.gap
            }
            canvas.text(line.text, x: left, y: top, scale: m.s, color: (255, 255, 255))
        }
        image = canvas.image
    }

    static func truncate(_ text: [Character], to maxChars: Int) -> [Character] {
        guard text.count > maxChars else { return text }
        guard maxChars > 1 else { return Array(text.prefix(maxChars)) }
        return Array(text.prefix(maxChars - 1)) + ["~"]
    }
}

/// Clipped drawing on an `RGBImage`.
struct Canvas {
    var image: RGBImage

    private func clip(_ x: Int, _ y: Int, _ w: Int, _ h: Int) -> (Range<Int>, Range<Int>)? {
        let x0 = max(0, x), y0 = max(0, y)
        let x1 = min(image.width, x + w), y1 = min(image.height, y + h)
        guard x0 < x1, y0 < y1 else { return nil }
        return (x0..<x1, y0..<y1)
    }

    /// Scales the pixels of a rectangle towards black: `value·keep/256`.
    mutating func darken(x: Int, y: Int, width: Int, height: Int, keep: Int) {
        guard let (xs, ys) = clip(x, y, width, height) else { return }
        let w = image.width
        for yy in ys {
            for xx in xs {
                let o = (yy * w + xx) * 3
                for c in 0..<3 { image.pixels[o + c] = UInt8(Int(image.pixels[o + c]) * keep >> 8) }
            }
        }
    }

    mutating func fill(x: Int, y: Int, width: Int, height: Int, color: (r: UInt8, g: UInt8, b: UInt8)) {
        guard let (xs, ys) = clip(x, y, width, height) else { return }
        let w = image.width
        for yy in ys {
            for xx in xs {
                let o = (yy * w + xx) * 3
                image.pixels[o] = color.r
                image.pixels[o + 1] = color.g
                image.pixels[o + 2] = color.b
            }
        }
    }

    mutating func text(_ text: [Character], x: Int, y: Int, scale s: Int, color: (r: UInt8, g: UInt8, b: UInt8)) {
        for (i, ch) in text.enumerated() {
            let g = BitmapFont.glyph(ch)
            let left = x + i * BitmapFont.advance * s
            for column in 0..<BitmapFont.glyphWidth {
                for row in 0..<BitmapFont.glyphHeight where BitmapFont.ink(g, row: row, column: column) {
                    fill(x: left + column * s, y: y + row * s, width: s, height: s, color: color)
                }
            }
        }
    }
}
