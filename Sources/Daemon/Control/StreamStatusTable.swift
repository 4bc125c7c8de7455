import Foundation

/// The table `segd ctl list` prints: one row per stream with its state, counters, vocabulary
/// (and version) and last error.
public enum StreamStatusTable {
    /// The column titles.
    public static let header = ["NAME", "STATE", "DECODED", "PROCESSED", "SKIPPED", "ERRORS", "RECONNECTS",
                                      "SUBSCRIBERS", "DROPS", "VOCAB", "LAST-ERROR"]
    /// Columns aligned to the right (the counters).
    static let numeric: Set<Int> = [2, 3, 4, 5, 6, 7, 8]

    /// One row per stream under a header, columns padded to their widest cell; the last column
    /// is not padded. "no streams" when there are none.
    public static func render(_ streams: [StreamStatus]) -> String {
        guard !streams.isEmpty else { return "no streams\n" }
        let rows = [header] + streams.map(row)
        var widths = [Int](repeating: 0, count: header.count)
        for row in rows {
            for (column, cell) in row.enumerated() { widths[column] = max(widths[column], cell.count) }
        }
        var out = ""
        for row in rows {
            var cells: [String] = []
            for (column, cell) in row.enumerated() {
                if column == row.count - 1 {
                    cells.append(cell)
                } else if numeric.contains(column) {
                    cells.append(String(repeating: " ", count: widths[column] - cell.count) + cell)
                } else {
                    cells.append(cell + String(repeating: " ", count: widths[column] - cell.count))
                }
            }
            out += cells.joined(separator: "  ").trimmingTrailingSpaces() + "\n"
        }
        return out
    }

    static func row(_ status: StreamStatus) -> [String] {
        var state = status.state.rawValue
        if status.state == .backingOff, let retryIn = status.retryIn, retryIn.isFinite {
            state += String(format: " (%.0fs)", max(0, retryIn))
        }
        return [
            status.name, state,
            String(status.framesDecoded), String(status.framesProcessed), String(status.framesSkipped),
            String(status.decodeErrors), String(status.reconnects), String(status.subscribers),
            String(status.subscriberDrops),
            "\(abbreviate(status.vocabulary, to: 32)) (v\(status.vocabVersion))",
            abbreviate(status.lastError ?? "-", to: 80),
        ]
    }

    /// `text` on one line, cut to `limit` characters with an ellipsis.
    static func abbreviate(_ text: String, to limit: Int) -> String {
        let flat = text.replacingOccurrences(of: "\n", with: " ")
        return flat.count <= limit ? flat : String(flat.prefix(limit - 1)) + "…"
    }
}

extension String {
    fileprivate func trimmingTrailingSpaces() -> String {
        var copy = self
        while copy.last == " " { copy.removeLast() }
        return copy
    }
}
