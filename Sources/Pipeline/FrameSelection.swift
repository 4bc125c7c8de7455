/// Which decoded frames the pipeline processes: every frame, every k-th, or a target rate,
/// within an optional range of frame indices.
///
/// Decisions are made in decode order, one call per decoded frame, so that the frames not
/// wanted are never converted to RGB.
public struct FrameSelection: Sendable, Equatable {
    public enum Rate: Sendable, Equatable {
        /// Every frame.
        case all
        /// Frames 0, k, 2k, … (counted within `range`).
        case every(Int)
        /// At most `fps` frames per second of presentation time: a frame is taken when its pts
        /// reaches the next due time; due times advance by 1/fps from the first taken frame and
        /// restart from the frame's own pts after a gap longer than one period.
        case fps(Double)
    }

    public var rate: Rate
    /// Decoded-frame indices to consider (`frame` in the records); nil = the whole stream.
    public var range: Range<Int>?

    public init(rate: Rate = .all, range: Range<Int>? = nil) {
        self.rate = rate
        self.range = range
    }

    /// True once `index` is past the range: nothing later can be selected.
    public func isFinished(after index: Int) -> Bool {
        guard let range else { return false }
        return index + 1 >= range.upperBound
    }

    /// The running state of a selection over one stream.
    public struct Cursor: Sendable {
        let selection: FrameSelection
        private var nextDue: Double?

        public init(_ selection: FrameSelection) {
            self.selection = selection
        }

        /// Whether the frame with decode index `index` and presentation time `pts` is processed.
        /// Call once per decoded frame, in decode order.
        public mutating func wants(index: Int, pts: Double) -> Bool {
            if let range = selection.range, !range.contains(index) { return false }
            switch selection.rate {
            case .all:
                return true
            case .every(let k):
                let offset = index - (selection.range?.lowerBound ?? 0)
                return offset % max(k, 1) == 0
            case .fps(let fps):
                let period = 1 / fps
                // Half a millisecond of slack absorbs pts rounding (a 30 fps stream sampled at
                // 10 fps must take exactly every third frame).
                let slack = min(period * 1e-3, 5e-4)
                guard let due = nextDue else {
                    nextDue = pts + period
                    return true
                }
                guard pts >= due - slack else { return false }
                nextDue = pts - due > period ? pts + period : due + period
                return true
            }
        }
    }
}
