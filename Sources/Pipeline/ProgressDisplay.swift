import Foundation

/// A one-line progress display on standard error — frames done, of how many, rate and ETA —
/// redrawn a few times a second while a pipeline runs. Silent when standard error is not a
/// terminal (logs and pipes get no carriage-return noise).
public final class ProgressDisplay: @unchecked Sendable {
    private let statistics: PipelineStatistics
    private let expectedFrames: Int?
    private let timer: DispatchSourceTimer?
    private let start = ContinuousClock.now
    private let lock = NSLock()
    private var drawn = false

    /// Starts drawing when `enabled` (default: standard error is a terminal).
    public init(statistics: PipelineStatistics, expectedFrames: Int?, enabled: Bool = isatty(STDERR_FILENO) == 1) {
        self.statistics = statistics
        self.expectedFrames = expectedFrames
        guard enabled else {
            timer = nil
            return
        }
        let timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "segd.progress"))
        self.timer = timer
        timer.schedule(deadline: .now() + 0.25, repeating: 0.25)
        timer.setEventHandler { [weak self] in self?.draw() }
        timer.resume()
    }

    /// Stops drawing and clears the line. Idempotent.
    public func finish() {
        timer?.cancel()
        lock.lock()
        defer { lock.unlock() }
        if drawn {
            FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
            drawn = false
        }
        timer?.setEventHandler {}
    }

    private func draw() {
        let line = Self.line(statistics.snapshot, expectedFrames: expectedFrames, elapsed: seconds(since: start))
        lock.lock()
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
        drawn = true
        lock.unlock()
    }

    /// The text of the progress line, e.g.
    /// `frame 120/1800  6.7%  processed 40  12.3 fps  ETA 2:16  decode errors 0`.
    /// Rate and ETA are in decoded frames (what bounds the run on a file).
    public static func line(_ s: PipelineStatistics.Snapshot, expectedFrames: Int?, elapsed: Double) -> String {
        var parts: [String] = []
        let rate = elapsed > 0 ? Double(s.decoded) / elapsed : 0
        if let total = expectedFrames, total > 0 {
            let percent = min(100, 100 * Double(s.decoded) / Double(total))
            parts.append("frame \(s.decoded)/\(total)")
            parts.append(String(format: "%.1f%%", percent))
        } else {
            parts.append("frame \(s.decoded)")
        }
        parts.append("processed \(s.written)")
        parts.append(String(format: "%.1f fps", rate))
        if let total = expectedFrames, rate > 0, total > s.decoded {
            parts.append("ETA " + clock(Double(total - s.decoded) / rate))
        }
        if s.skippedBusy > 0 { parts.append("skipped \(s.skippedBusy)") }
        parts.append("decode errors \(s.decodeErrors)")
        return parts.joined(separator: "  ")
    }

    /// `m:ss`, or `h:mm:ss` from one hour.
    static func clock(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        let (h, m, s) = (total / 3600, (total / 60) % 60, total % 60)
        return h > 0 ? String(format: "%d:%02d:%02d", h, m, s) : String(format: "%d:%02d", m, s)
    }
}
