/// Why a run that reached the end of its stream segmented nothing, in words a user can act on.
extension PipelineReport {
    /// True when the stream ended without a single frame written: a run that did nothing,
    /// which must not pass for a successful one.
    public var segmentedNothing: Bool {
        ending == .endOfStream && statistics.written == 0
    }

    /// The likely cause of an empty run (`segmentedNothing`), from the counters and the frame
    /// selection; nil when the run wrote frames or did not reach the end of its stream.
    public func emptyRunCause(selection: FrameSelection) -> String? {
        guard segmentedNothing else { return nil }
        let s = statistics
        if s.decoded == 0 && s.decodeErrors > 0 {
            return "no frame could be decoded (\(s.decodeErrors) decode \(s.decodeErrors == 1 ? "error" : "errors")): "
                + "the data is damaged or is not in the format its name or container says"
        }
        if s.decoded == 0 {
            return "the input holds no decodable video frame (an empty file or one cut short before its first whole frame, "
                + "zero-length images, or a stream that ended at once)"
        }
        if s.selected == 0 {
            return "none of its \(s.decoded) decoded frames matched the selection (\(selection.summary))"
        }
        return "\(s.selected) frames were selected but none reached the outputs"
    }
}

extension FrameSelection {
    /// The selection in words: "frames 100…199, every 3rd frame".
    public var summary: String {
        var parts: [String] = []
        if let range {
            parts.append(range.upperBound == Int.max ? "frames from \(range.lowerBound)" : "frames \(range.lowerBound)…\(range.upperBound - 1)")
        }
        switch rate {
        case .all: if range == nil { parts.append("every frame") }
        case .every(let k): parts.append(k == 1 ? "every frame" : "one frame in \(k)")
        case .fps(let f): parts.append("at most \(f) frames per second")
        }
        return parts.joined(separator: ", ")
    }
}
