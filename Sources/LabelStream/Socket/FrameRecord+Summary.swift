extension FrameRecord {
    /// One short human-readable line about the record (what `segd tail --summary` prints):
    /// frame, pts, segment count, labels in first-seen order with repeat counts, and
    /// `dropped_before` when it is not 0. For example
    /// `frame 1234  pts 49.36  3 segments: forklift x2, floor  (dropped 5 before)`.
    public func summaryLine() -> String {
        var counts: [String: Int] = [:]
        var order: [String] = []
        for segment in segments {
            if counts[segment.label] == nil { order.append(segment.label) }
            counts[segment.label, default: 0] += 1
        }
        let labels = order.map { label in
            let n = counts[label] ?? 1
            return n > 1 ? "\(label) x\(n)" : label
        }
        var line = "frame \(frame)  pts \(JSONLine.format(pts, places: 3))  "
        line += segments.count == 1 ? "1 segment" : "\(segments.count) segments"
        if !labels.isEmpty { line += ": " + labels.joined(separator: ", ") }
        if droppedBefore > 0 { line += "  (dropped \(droppedBefore) before)" }
        return line
    }
}
