import Daemon
import Foundation
import Testing

/// `DaemonMetrics`: counters from status snapshots, gauges, stage histograms, exposition.
@Suite struct MetricsTests {
    private func status(_ name: String, state: StreamStatus.State = .running, decoded: Int = 0, processed: Int = 0,
                        skipped: Int = 0, errors: Int = 0, reconnects: Int = 0, subscribers: Int = 0,
                        drops: Int = 0, queue: Int = 0, vocab: Int = 0) -> StreamStatus {
        StreamStatus(name: name, url: "file:///\(name).mp4", state: state, vocabulary: "coco", vocabVersion: vocab,
                     framesDecoded: decoded, framesProcessed: processed, framesSkipped: skipped, decodeErrors: errors,
                     reconnects: reconnects, subscribers: subscribers, subscriberDrops: drops, queueDepth: queue)
    }

    /// The exposition's sample lines (no comments), as a set.
    private func samples(_ metrics: DaemonMetrics) -> Set<String> {
        Set(metrics.exposition().split(separator: "\n").filter { !$0.hasPrefix("#") }.map(String.init))
    }

    @Test func countersShowTheTotalsAfterTwoUpdates() {
        let metrics = DaemonMetrics()
        metrics.update(from: [status("a", decoded: 4, processed: 3, skipped: 1), status("b", decoded: 2)])
        metrics.update(from: [status("a", decoded: 10, processed: 8, skipped: 2, errors: 1, reconnects: 2, drops: 5),
                              status("b", decoded: 7)])
        let lines = samples(metrics)
        for expected in [
            #"segd_frames_decoded_total{stream="a"} 10"#,
            #"segd_frames_processed_total{stream="a"} 8"#,
            #"segd_frames_skipped_total{stream="a"} 2"#,
            #"segd_decode_errors_total{stream="a"} 1"#,
            #"segd_reconnects_total{stream="a"} 2"#,
            #"segd_subscriber_drops_total{stream="a"} 5"#,
            #"segd_frames_decoded_total{stream="b"} 7"#,
            #"segd_frames_processed_total{stream="b"} 0"#,
        ] {
            #expect(lines.contains(expected), "missing \(expected)")
        }
        let text = metrics.exposition()
        #expect(text.contains("# TYPE segd_frames_decoded_total counter\n"))
        #expect(text.contains("# TYPE segd_stream_up gauge\n"))
    }

    @Test func aDecreasingValueStartsAfreshAndNeverDecrements() {
        let metrics = DaemonMetrics()
        metrics.update(from: [status("a", decoded: 100)])
        // The stream restarted: its own counter began again from 0 and is now 30.
        metrics.update(from: [status("a", decoded: 30)])
        #expect(samples(metrics).contains(#"segd_frames_decoded_total{stream="a"} 130"#))
        metrics.update(from: [status("a", decoded: 35)])
        #expect(samples(metrics).contains(#"segd_frames_decoded_total{stream="a"} 135"#))
        // Same value again: no change.
        metrics.update(from: [status("a", decoded: 35)])
        #expect(samples(metrics).contains(#"segd_frames_decoded_total{stream="a"} 135"#))
    }

    @Test func gaugesTakeTheCurrentValues() {
        let metrics = DaemonMetrics()
        metrics.update(from: [status("a", subscribers: 3, queue: 1, vocab: 2), status("b", state: .backingOff)])
        var lines = samples(metrics)
        #expect(lines.contains(#"segd_subscribers{stream="a"} 3.0"#))
        #expect(lines.contains(#"segd_queue_depth{stream="a"} 1.0"#))
        #expect(lines.contains(#"segd_vocab_version{stream="a"} 2.0"#))
        #expect(lines.contains(#"segd_stream_up{stream="a"} 1.0"#))
        #expect(lines.contains(#"segd_stream_up{stream="b"} 0.0"#))
        metrics.update(from: [status("a", state: .paused, subscribers: 1), status("b")])
        lines = samples(metrics)
        #expect(lines.contains(#"segd_subscribers{stream="a"} 1.0"#))
        #expect(lines.contains(#"segd_queue_depth{stream="a"} 0.0"#))
        #expect(lines.contains(#"segd_stream_up{stream="a"} 0.0"#))
        #expect(lines.contains(#"segd_stream_up{stream="b"} 1.0"#))
    }

    @Test func streamsThatDisappearLoseTheirSeries() {
        let metrics = DaemonMetrics()
        metrics.update(from: [status("a", decoded: 5), status("gone", decoded: 9)])
        metrics.recordStage(stream: "gone", stage: "segment", seconds: 0.2)
        metrics.recordStage(stream: "a", stage: "segment", seconds: 0.2)
        metrics.update(from: [status("a", decoded: 6)])
        let text = metrics.exposition()
        #expect(!text.contains(#"stream="gone""#))
        #expect(text.contains(#"segd_frames_decoded_total{stream="a"} 6"#))
        #expect(text.contains(#"segd_stage_seconds_count{stream="a",stage="segment"} 1"#))
        // Coming back, it starts from its current values.
        metrics.update(from: [status("a", decoded: 6), status("gone", decoded: 2)])
        #expect(samples(metrics).contains(#"segd_frames_decoded_total{stream="gone"} 2"#))
        // Every stream gone: nothing is left but the families' absence.
        metrics.update(from: [])
        #expect(!metrics.exposition().contains("segd_frames_decoded_total"))
    }

    @Test func stageHistogramBucketsCountKnownSamples() {
        let metrics = DaemonMetrics()
        for seconds in [0.0005, 0.001, 0.003, 0.2, 0.2, 1.5, 29.0, 45.0] {
            metrics.recordStage(stream: "a", stage: "segment", seconds: seconds)
        }
        metrics.recordStage(stream: "a", stage: "decode", seconds: 0.004)
        metrics.recordStage(stream: "a", stage: "segment", seconds: -1)
        metrics.recordStage(stream: "a", stage: "segment", seconds: .nan)
        let lines = samples(metrics)
        let label = #"stream="a",stage="segment""#
        let expected: [(String, Int)] = [
            ("0.001", 2), ("0.0025", 2), ("0.005", 3), ("0.01", 3), ("0.025", 3), ("0.05", 3), ("0.1", 3),
            ("0.25", 5), ("0.5", 5), ("1.0", 5), ("2.5", 6), ("5.0", 6), ("10.0", 6), ("30.0", 7), ("+Inf", 8),
        ]
        for (bound, count) in expected {
            let line = "segd_stage_seconds_bucket{\(label),le=\"\(bound)\"} \(count)"
            #expect(lines.contains(line), "missing \(line)")
        }
        #expect(lines.contains("segd_stage_seconds_count{\(label)} 8"))
        #expect(lines.contains("segd_stage_seconds_sum{\(label)} 75.9045"))
        #expect(lines.contains(#"segd_stage_seconds_count{stream="a",stage="decode"} 1"#))
        #expect(metrics.exposition().contains("# TYPE segd_stage_seconds histogram\n"))
    }

    @Test func instancesAreIndependent() {
        let first = DaemonMetrics()
        let second = DaemonMetrics()
        first.update(from: [status("a", decoded: 3)])
        #expect(first.exposition().contains(#"segd_frames_decoded_total{stream="a"} 3"#))
        #expect(second.exposition().isEmpty)
    }

    @Test func familiesAreSortedByName() {
        let metrics = DaemonMetrics()
        metrics.update(from: [status("a")])
        metrics.recordStage(stream: "a", stage: "segment", seconds: 0.1)
        let types = metrics.exposition().split(separator: "\n").filter { $0.hasPrefix("# TYPE ") }
            .map { $0.split(separator: " ")[2] }
        #expect(types == types.sorted())
        #expect(types.count == 11)
    }

    @Test func labelValuesAreEscaped() {
        let metrics = DaemonMetrics()
        metrics.update(from: [status("we\"ird\\name", decoded: 1)])
        #expect(metrics.exposition().contains(#"segd_frames_decoded_total{stream="we\"ird\\name"} 1"#))
    }

    @Test func concurrentUpdatesAndScrapesAreSafe() async {
        let metrics = DaemonMetrics()
        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<4 {
                group.addTask {
                    for i in 1...200 {
                        metrics.update(from: [self.status("a", decoded: i)])
                        metrics.recordStage(stream: "a", stage: "s\(worker)", seconds: 0.01)
                        _ = metrics.exposition()
                    }
                }
            }
        }
        #expect(samples(metrics).contains(#"segd_stage_seconds_count{stream="a",stage="s0"} 200"#))
    }
}

/// Every metric family has its own HELP text, as Prometheus' linters require.
@Suite struct MetricHelpTests {
    @Test func everyFamilyHasItsHelpLineBeforeItsType() throws {
        let metrics = DaemonMetrics()
        metrics.update(from: [StreamStatus(name: "a", url: "x", state: .running, vocabulary: "coco")])
        metrics.recordStage(stream: "a", stage: "segment", seconds: 0.5)
        let lines = metrics.exposition().split(separator: "\n").map(String.init)
        let types = lines.enumerated().filter { $0.element.hasPrefix("# TYPE ") }
        #expect(types.count == 11, "\(types.map(\.element))")
        for (index, line) in types {
            let name = line.split(separator: " ")[2]
            let help = lines[index - 1]
            #expect(help.hasPrefix("# HELP \(name) ") && help.count > "# HELP \(name) ".count + 10, "\(help)")
            #expect(help != "# HELP \(name) \(name)", "\(name) needs its own text in MetricHelp")
        }
        #expect(lines.filter { $0.hasPrefix("# HELP ") }.count == types.count, "one HELP per family")
    }

    /// Where Prometheus' promtool is installed, it accepts the exposition.
    @Test func promtoolAcceptsTheExposition() throws {
        guard let promtool = ["/usr/bin/promtool", "/usr/local/bin/promtool"].first(where: FileManager.default.isExecutableFile) else {
            print("promtool is not installed: skipping the promtool check")
            return
        }
        let metrics = DaemonMetrics()
        metrics.update(from: [StreamStatus(name: "a", url: "x", state: .running, vocabulary: "coco")])
        metrics.recordStage(stream: "a", stage: "segment", seconds: 0.5)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: promtool)
        process.arguments = ["check", "metrics"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        input.fileHandleForWriting.write(Data(metrics.exposition().utf8))
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        let said = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 0, "\(said)")
    }
}
