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
    func statuses() -> [String: Status]? {
        guard let r = try? SegdProcess.run(["ctl", "--socket", root + "/run/control.sock", "list", "--json"]), r.status == 0,
              let list = try? JSONDecoder().decode([Status].self, from: Data(r.stdout.utf8)) else { return nil }
        return Dictionary(uniqueKeysWithValues: list.map { ($0.name, $0) })
    }

    /// The records of a stream's current disk segment.
    func records(_ stream: String) -> [FrameRecord] {
        guard let text = try? String(contentsOfFile: "\(root)/out/\(stream)/current/labels.jsonl", encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { try? JSONDecoder().decode(FrameRecord.self, from: Data($0.utf8)) }
    }

    /// Waits until `condition` holds, failing with the daemon's log after `timeout` seconds.
    func waitUntil(_ what: String, timeout: Double = 90, _ condition: () -> Bool) throws {
        do {
            try TestMedia.waitUntil(timeout: timeout, condition)
        } catch {
            throw TestMedia.Failure(description: "timed out waiting for \(what); daemon log:\n\(log)")
        }
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
