/// The HELP text of every metric family segd exposes. swift-metrics' factory gives the registry
/// none, so `DaemonMetrics.exposition()` adds a `# HELP` line from here before each family's
/// `# TYPE` line (Prometheus' linters, e.g. `promtool check metrics`, require one).
enum MetricHelp {
    static let text: [String: String] = [
        "segd_frames_decoded_total": "Frames the stream's source decoded.",
        "segd_frames_processed_total": "Frames segmented and written to the stream's outputs.",
        "segd_frames_skipped_total": "Frames not segmented because a newer frame replaced them while the model was busy.",
        "segd_decode_errors_total": "Damaged packets or frames the decoder skipped.",
        "segd_reconnects_total": "Times the stream's source was reopened after a failure, a stall or its end.",
        "segd_subscriber_drops_total": "Records label-socket subscribers missed because they read too slowly.",
        "segd_queue_depth": "Frames waiting for the model (0 or 1).",
        "segd_subscribers": "Label-socket subscribers connected now.",
        "segd_stream_up": "1 while the stream is running, else 0.",
        "segd_vocab_version": "The stream's vocabulary version (bumped by each change).",
        "segd_stage_seconds": "Seconds one frame spent in a pipeline stage.",
    ]

    /// `exposition` with a `# HELP` line before every `# TYPE` line that has none; a family segd
    /// does not know gets its name as help, so the output stays valid.
    static func adding(to exposition: String) -> String {
        var out: [Substring] = []
        var previous: Substring = ""
        for line in exposition.split(separator: "\n", omittingEmptySubsequences: true) {
            if line.hasPrefix("# TYPE "), !previous.hasPrefix("# HELP ") {
                let name = line.split(separator: " ").dropFirst(2).first.map(String.init) ?? ""
                out.append(Substring("# HELP \(name) \(text[name] ?? name)"))
            }
            out.append(line)
            previous = line
        }
        return out.map { $0 + "\n" }.joined()
    }
}
