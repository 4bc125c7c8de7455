import Metrics

/// One stream's counters and gauges, labelled `stream="name"`, and the raw values of the last
/// status, from which counter increments are computed.
final class StreamSeries {
    /// A counter fed from an ever-growing `StreamStatus` field.
    private struct CounterSeries {
        let counter: Counter
        let field: @Sendable (StreamStatus) -> Int
        /// The field's value at the last update.
        var last: Int
    }

    /// The counters: metric name and the status field it follows.
    static let counterFields: [(name: String, field: @Sendable (StreamStatus) -> Int)] = [
        ("segd_frames_decoded_total", { $0.framesDecoded }),
        ("segd_frames_processed_total", { $0.framesProcessed }),
        ("segd_frames_skipped_total", { $0.framesSkipped }),
        ("segd_decode_errors_total", { $0.decodeErrors }),
        ("segd_reconnects_total", { $0.reconnects }),
        ("segd_subscriber_drops_total", { $0.subscriberDrops }),
    ]

    /// The gauges: metric name and how it is read from a status.
    static let gaugeFields: [(name: String, value: @Sendable (StreamStatus) -> Int)] = [
        ("segd_queue_depth", { $0.queueDepth }),
        ("segd_subscribers", { $0.subscribers }),
        ("segd_stream_up", { $0.state == .running ? 1 : 0 }),
        ("segd_vocab_version", { $0.vocabVersion }),
    ]

    private var counters: [CounterSeries]
    private let gauges: [Gauge]

    init(stream: String, factory: any MetricsFactory) {
        let dimensions = [("stream", stream)]
        counters = Self.counterFields.map {
            CounterSeries(counter: Counter(label: $0.name, dimensions: dimensions, factory: factory), field: $0.field, last: 0)
        }
        gauges = Self.gaugeFields.map { Gauge(label: $0.name, dimensions: dimensions, factory: factory) }
    }

    /// Adds to each counter what its field grew by since the last update. A field that went
    /// down (the stream was restarted or re-added) starts afresh: its whole new value is added,
    /// so the exported counter never decreases.
    func update(from status: StreamStatus) {
        for index in counters.indices {
            let value = max(0, counters[index].field(status))
            let last = counters[index].last
            let delta = value >= last ? value - last : value
            if delta > 0 { counters[index].counter.increment(by: delta) }
            counters[index].last = value
        }
        for (gauge, field) in zip(gauges, Self.gaugeFields) {
            gauge.record(field.value(status))
        }
    }

    /// Removes the stream's series from the registry.
    func destroy() {
        for series in counters { series.counter.destroy() }
        for gauge in gauges { gauge.destroy() }
    }
}
