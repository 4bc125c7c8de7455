import Foundation
import Metrics
import Prometheus

/// The daemon's Prometheus metrics: per-stream counters and gauges fed from `StreamStatus`
/// snapshots, and per-stream, per-stage latency histograms.
///
/// The instruments are swift-metrics types (`Counter`, `Gauge`, `Timer`) created with an explicit
/// `factory:`, a `PrometheusMetricsFactory` over a `PrometheusCollectorRegistry` that this
/// instance owns; the global `MetricsSystem` is never bootstrapped, so instances are independent
/// (tests create several). Other daemon code may create more instruments with `factory`; they
/// appear in `exposition()` too.
///
/// Series (label `stream`):
/// - counters `segd_frames_decoded_total`, `segd_frames_processed_total`,
///   `segd_frames_skipped_total`, `segd_decode_errors_total`, `segd_reconnects_total`,
///   `segd_subscriber_drops_total`;
/// - gauges `segd_queue_depth`, `segd_subscribers`, `segd_stream_up` (1 while running),
///   `segd_vocab_version`;
/// - histogram `segd_stage_seconds` (labels `stream`, `stage`), buckets from 1 ms to 30 s.
///
/// A stream that disappears from the statuses has all its series removed (counters, gauges and
/// stage histograms); if it comes back, its counters start again from its current values.
///
/// Thread-safe.
public final class DaemonMetrics: @unchecked Sendable {
    /// The registry every series lives in.
    public let registry: PrometheusCollectorRegistry
    /// The swift-metrics factory over `registry`.
    public let factory: PrometheusMetricsFactory

    /// `segd_stage_seconds`' upper bounds: 1 ms to 30 s, about three per decade.
    public static let stageBuckets: [Duration] = [
        .milliseconds(1), .microseconds(2500), .milliseconds(5),
        .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500),
        .seconds(1), .milliseconds(2500), .seconds(5),
        .seconds(10), .seconds(30),
    ]
    static let stageMetric = "segd_stage_seconds"

    private let lock = NSLock()
    private var streams: [String: StreamSeries] = [:]
    private var stages: [StageKey: Metrics.Timer] = [:]

    private struct StageKey: Hashable {
        var stream: String
        var stage: String
    }

    public init() {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets[Self.stageMetric] = Self.stageBuckets
        self.registry = registry
        self.factory = factory
    }

    /// Brings the per-stream series up to date with `statuses` (the daemon's `streamStatuses()`).
    /// Counters grow by what each status field grew by since the previous update (a field that
    /// went down counts as a fresh start, never as a decrement); gauges take the current values.
    /// Streams missing from `statuses` lose their series. A name listed twice counts once.
    public func update(from statuses: [StreamStatus]) {
        lock.withLock {
            var seen = Set<String>()
            for status in statuses where seen.insert(status.name).inserted {
                let series: StreamSeries
                if let existing = streams[status.name] {
                    series = existing
                } else {
                    series = StreamSeries(stream: status.name, factory: factory)
                    streams[status.name] = series
                }
                series.update(from: status)
            }
            for (name, series) in streams where !seen.contains(name) {
                series.destroy()
                streams[name] = nil
                for (key, timer) in stages where key.stream == name {
                    timer.destroy()
                    stages[key] = nil
                }
            }
        }
    }

    /// Records that `stage` (e.g. "decode", "segment", "publish") of one frame of `stream` took
    /// `seconds`. Negative and non-finite durations are ignored.
    public func recordStage(stream: String, stage: String, seconds: Double) {
        guard seconds.isFinite, seconds >= 0 else { return }
        let nanoseconds = seconds * 1e9 < Double(Int64.max) ? Int64((seconds * 1e9).rounded()) : Int64.max
        let key = StageKey(stream: stream, stage: stage)
        let timer: Metrics.Timer = lock.withLock {
            if let timer = stages[key] { return timer }
            let timer = Metrics.Timer(label: Self.stageMetric, dimensions: [("stream", stream), ("stage", stage)],
                                      factory: factory)
            stages[key] = timer
            return timer
        }
        timer.recordNanoseconds(nanoseconds)
    }

    /// Every series in the Prometheus text exposition format (version 0.0.4), metric families
    /// sorted by name, each with its `# HELP` line (`MetricHelp`).
    public func exposition() -> String {
        MetricHelp.adding(to: Self.sortingFamilies(registry.emitToString()))
    }

    /// Reorders the families of an exposition by name (the registry emits them in hash order);
    /// each family's own lines keep their order.
    static func sortingFamilies(_ text: String) -> String {
        var families: [(name: String, lines: [Substring])] = []
        var previousWasHelp = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            let isHelp = line.hasPrefix("# HELP ")
            let startsFamily = isHelp || (line.hasPrefix("# TYPE ") && !previousWasHelp)
            if startsFamily || families.isEmpty {
                let name = line.hasPrefix("# ") ? line.split(separator: " ").dropFirst(2).first.map(String.init) ?? "" : ""
                families.append((name, []))
            }
            families[families.count - 1].lines.append(line)
            previousWasHelp = isHelp
        }
        let sorted = families.enumerated().sorted { ($0.element.name, $0.offset) < ($1.element.name, $1.offset) }
        var out = ""
        for (_, family) in sorted {
            for line in family.lines {
                out += line
                out += "\n"
            }
        }
        return out
    }
}
