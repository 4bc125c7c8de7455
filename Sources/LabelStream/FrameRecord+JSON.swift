/// The label-stream line format, written by hand so that keys come out in design.md's order:
/// `stream, frame, pts, keyframe, vocab_version, width, height, dropped_before, segments`, then
/// the added keys `discontinuity`, `source_pts`, `type` and `reuse` when they are set (nil: absent), each
/// segment `id, label, category, isthing, score, area, bbox, rle{size, counts}` and, when
/// tracked, `track_age` (the `CodingKeys` order). The line is compact (no spaces) and has no trailing newline.
///
/// Numbers: integers as is; `score` rounded to 4 decimals and `pts` to 6 decimals (microseconds),
/// trailing zeros dropped (`0.91`, `1`, `49.36`); non-finite values are written as `0` (JSON has
/// no NaN). Strings are escaped per RFC 8259 (`"`, `\`, control characters, plus U+2028/U+2029);
/// other non-ASCII text is written as UTF-8.
extension FrameRecord {
    /// The record as one JSON line (without the trailing `\n`).
    public func jsonLine() -> String {
        var out = JSONLine()
        out.open()
        out.key(CodingKeys.stream); out.string(stream)
        out.key(CodingKeys.frame); out.int(frame)
        out.key(CodingKeys.pts); out.decimal(pts, places: 6)
        out.key(CodingKeys.keyframe); out.bool(keyframe)
        out.key(CodingKeys.vocabVersion); out.int(vocabVersion)
        out.key(CodingKeys.width); out.int(width)
        out.key(CodingKeys.height); out.int(height)
        out.key(CodingKeys.droppedBefore); out.int(droppedBefore)
        out.key(CodingKeys.segments)
        out.raw("[")
        for (i, s) in segments.enumerated() {
            if i > 0 { out.raw(",") }
            s.write(to: &out)
        }
        out.raw("]")
        if let discontinuity {
            out.key(CodingKeys.discontinuity); out.bool(discontinuity)
        }
        if let sourcePTS {
            out.key(CodingKeys.sourcePTS); out.decimal(sourcePTS, places: 6)
        }
        if let type {
            out.key(CodingKeys.type); out.string(type)
        }
        if let reuse {
            out.key(CodingKeys.reuse); out.string(reuse)
        }
        out.close()
        return out.text
    }
}

extension SegmentRecord {
    /// The segment as one compact JSON object, keys in the design's order.
    public func jsonObject() -> String {
        var out = JSONLine()
        write(to: &out)
        return out.text
    }

    fileprivate func write(to out: inout JSONLine) {
        out.open()
        out.key(CodingKeys.id); out.int(id)
        out.key(CodingKeys.label); out.string(label)
        out.key(CodingKeys.category); out.int(category)
        out.key(CodingKeys.isThing); out.bool(isThing)
        out.key(CodingKeys.score); out.decimal(score, places: 4)
        out.key(CodingKeys.area); out.int(area)
        out.key(CodingKeys.bbox); out.ints(bbox)
        out.key(CodingKeys.rle)
        out.open()
        out.key(RLERecord.CodingKeys.size); out.ints(rle.size)
        out.key(RLERecord.CodingKeys.counts); out.string(rle.counts)
        out.close()
        if let trackAge {
            out.key(CodingKeys.trackAge); out.int(trackAge)
        }
        out.close()
    }
}

/// A minimal JSON writer: objects, keys, and the scalar forms the records use.
struct JSONLine {
    private(set) var text = ""
    /// Whether the next key is the first of its object.
    private var first = true

    mutating func raw(_ s: String) { text += s }

    mutating func open() { text += "{"; first = true }
    mutating func close() { text += "}"; first = false }

    mutating func key<K: CodingKey>(_ k: K) {
        if !first { text += "," }
        first = false
        string(k.stringValue)
        text += ":"
    }

    mutating func int(_ v: Int) { text += String(v) }
    mutating func bool(_ v: Bool) { text += v ? "true" : "false" }

    mutating func ints(_ v: [Int]) {
        text += "["
        for (i, x) in v.enumerated() {
            if i > 0 { text += "," }
            text += String(x)
        }
        text += "]"
    }

    mutating func decimal(_ v: Double, places: Int) {
        text += JSONLine.format(v, places: places)
    }

    /// `v` rounded to `places` decimals without trailing zeros, locale-independent.
    static func format(_ v: Double, places: Int) -> String {
        guard v.isFinite else { return "0" }
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        let scaled = (abs(v) * scale).rounded()
        // Beyond 2^53 the fixed-point form is meaningless: Swift's shortest round-trip form
        // ("1e+20") is valid JSON too.
        guard scaled < 9.0e15 else { return "\(v)" }
        let n = Int(scaled)
        if n == 0 { return "0" }
        let divisor = Int(scale)
        let whole = n / divisor
        var fraction = n % divisor
        var digits = places
        while digits > 0 && fraction % 10 == 0 { fraction /= 10; digits -= 1 }
        var s = v < 0 ? "-" : ""
        s += String(whole)
        if digits > 0 {
            let f = String(fraction)
            s += "." + String(repeating: "0", count: digits - f.count) + f
        }
        return s
    }

    mutating func string(_ s: String) {
        text += "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case "\u{08}": text += "\\b"
            case "\u{0C}": text += "\\f"
            case "\u{2028}": text += "\\u2028"
            case "\u{2029}": text += "\\u2029"
            default:
                if u.value < 0x20 {
                    let hex = String(u.value, radix: 16)
                    text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    text.unicodeScalars.append(u)
                }
            }
        }
        text += "\""
    }
}
