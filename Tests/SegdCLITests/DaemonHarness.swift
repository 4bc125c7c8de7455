import Foundation
import LabelStream

/// A `segd serve` process with its own config, folders and sockets, for tests.
final class DaemonHarness {
    let root: String
    let configPath: String
    let process: Process
    private let logPath: String

    struct Status: Decodable {
        let name: String
        let state: String
        let frames_decoded: Int
        let frames_processed: Int
        let frames_skipped: Int
        let reconnects: Int
        let vocab_version: Int
        let last_error: String?
    }

    /// Writes a config with `streams` (YAML under `streams:`) and starts the daemon on it.
    init(streams: String, environment: [String: String] = [:]) throws {
        root = "/tmp/segd-serve-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        configPath = root + "/segd.yaml"
        try Self.config(root: root, streams: streams).write(toFile: configPath, atomically: true, encoding: .utf8)
        logPath = root + "/serve.log"
        FileManager.default.createFile(atPath: logPath, contents: nil)
        process = Process()
        process.executableURL = SegdProcess.executable
        process.arguments = ["serve", "--config", configPath]
        var env = ProcessInfo.processInfo.environment
        env["CACHE_DIRECTORY"] = root + "/cache"  // as systemd's CacheDirectory= sets it
        for (k, v) in environment { env[k] = v }
        process.environment = env
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        try process.run()
    }

    static func config(root: String, streams: String) -> String {
        """
        model: \(SegdProcess.fixtures.path)/fcclip/tiny-a
        threads: 1
        output_root: \(root)/out
        socket_dir: \(root)/run
        shutdown_timeout: 10
        reconnect:
          initial_delay: 0.2
          max_delay: 1
          stall_timeout: 5
        streams:
        \(streams)
        """
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// `segd ctl list --json`, decoded; nil while the control socket is not up.
    func statuses() -> [String: Status]? { listed().statuses }

    /// `segd ctl list --json`, decoded, or why not (for failure messages).
    private func listed() -> (statuses: [String: Status]?, problem: String) {
        let r: SegdProcess.Result
        do {
            r = try SegdProcess.run(["ctl", "--socket", root + "/run/control.sock", "list", "--json"])
        } catch {
            return (nil, "segd ctl list: \(error)")
        }
        guard r.status == 0 else { return (nil, "segd ctl list: exit status \(r.status): \(r.stderr)") }
        guard let list = try? JSONDecoder().decode([Status].self, from: Data(r.stdout.utf8)) else {
            return (nil, "segd ctl list printed no stream list: \(r.stdout)")
        }
        return (Dictionary(uniqueKeysWithValues: list.map { ($0.name, $0) }), "")
    }

    /// The records of a stream's current disk segment.
    func records(_ stream: String) -> [FrameRecord] {
        guard let text = try? String(contentsOfFile: "\(root)/out/\(stream)/current/labels.jsonl", encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { try? JSONDecoder().decode(FrameRecord.self, from: Data($0.utf8)) }
    }

    /// Where every stream stands, one line each (records on disk, state, last error,
    /// reconnects, frame counters from `segd ctl list`), then the last lines of the daemon log.
    func report(logLines: Int = 40) -> String {
        let (statuses, problem) = listed()
        var lines: [String] = []
        if let statuses {
            for name in statuses.keys.sorted() {
                let s = statuses[name]!
                lines.append("  \(name): \(records(name).count) records, state \(s.state), reconnects \(s.reconnects), "
                             + "decoded \(s.frames_decoded), processed \(s.frames_processed), skipped \(s.frames_skipped), "
                             + "last_error \(s.last_error.map { "\"\($0)\"" } ?? "none")")
            }
        } else {
            lines.append("  (no stream states: \(problem))")
        }
        let tail = log.split(separator: "\n", omittingEmptySubsequences: false).suffix(logLines)
        return "streams:\n" + lines.joined(separator: "\n") + "\ndaemon (running: \(process.isRunning)) log, last \(tail.count) lines:\n"
            + tail.joined(separator: "\n")
    }

    /// Waits until `condition` holds; after `timeout` seconds fails with what was awaited,
    /// `context` (e.g. the loopback servers' diagnostics) and `report()`.
    func waitUntil(_ what: String, timeout: Double = 90, context: () -> String = { "" }, _ condition: () -> Bool) throws {
        do {
            try TestMedia.waitUntil(timeout: timeout, condition)
        } catch {
            let extra = context()
            throw TestMedia.Failure(description: "timed out after \(timeout) s waiting for \(what)\n"
                                    + (extra.isEmpty ? "" : extra + "\n") + report())
        }
    }

    /// Waits, stream by stream, until each of `streams` has at least `count` records on disk
    /// (each with its own timeout), so that a failure names the stream that starved.
    func waitForRecords(_ streams: [String], atLeast count: Int, timeout: Double = 90, context: () -> String = { "" }) throws {
        for stream in streams {
            try waitUntil("\(count) records from \(stream)", timeout: timeout, context: context) {
                records(stream).count >= count
            }
        }
    }

    /// `statuses()` once the control socket answers (it may be slow on a loaded machine).
    func requireStatuses(timeout: Double = 30) throws -> [String: Status] {
        var result: [String: Status]?
        try waitUntil("segd ctl list to answer", timeout: timeout) {
            result = statuses()
            return result != nil
        }
        return result!
    }

    /// Sends `signal` and waits for the exit status.
    func stop(_ signal: Int32 = SIGTERM) -> Int32 {
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
        return process.terminationStatus
    }

    deinit {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: root)
    }
}
