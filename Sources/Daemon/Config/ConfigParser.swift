import CLIP
import Foundation
import Pipeline

/// Builds a `DaemonConfig` from `ConfigValues`, applying defaults and checking every value.
/// Relative paths (`model`, `output_root`, `socket_dir`, `control_socket`, `cache_dir`, `@FILE` vocabularies)
/// are taken relative to the folder holding the configuration file.
struct ConfigParser {
    let values: ConfigValues
    /// The configuration file's folder, absolute.
    let baseDirectory: String

    func parse() throws -> DaemonConfig {
        let model = try path(values.requiredString(["model"], hint: "the model bundle folder"))
        let threads = try values.integer(["threads"], in: DaemonConfig.threadRange,
                                         why: "leave it out to use every core the process may use")
        let outputRoot = try path(values.string(["output_root"]) ?? "/var/lib/segd")
        let socketDirectory = try path(values.string(["socket_dir"]) ?? "/run/segd")
        let controlSocket = try path(values.string(["control_socket"])
            ?? (socketDirectory as NSString).appendingPathComponent("control.sock"))
        let memoryLimit = try values.integer(["memory_limit_mb"], in: 1...(1 << 30),
                                             why: "it is in MiB; leave it out to use what the system has available")
        let vocabularyDirectory = try values.string(["vocabulary_dir"]).map(path)
        if let vocabularyDirectory {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: vocabularyDirectory, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw values.error(["vocabulary_dir"], "\(vocabularyDirectory) is not a folder; give the folder of the vocabulary files that `segd ctl vocab STREAM @NAME` may name")
            }
        }
        let cacheDirectory = try values.string(["cache_dir"]).map(path)
        if let cacheDirectory {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: cacheDirectory, isDirectory: &isDirectory), !isDirectory.boolValue {
                throw values.error(["cache_dir"], "\(cacheDirectory) is not a folder; give the folder for the text classifier cache (created if missing)")
            }
        }
        let cacheMax = try values.integer(["cache_max_mb"], in: DaemonConfig.cacheMaxMegabytesRange,
                                          why: "it is in MiB; the default is 256") ?? 256
        let metricsListen = try metricsAddress()
        let shutdownTimeout = try values.positiveNumber(["shutdown_timeout"], unit: " of seconds") ?? 10
        let reconnect = try reconnectPolicy()

        guard !values.document.streamNames.isEmpty else {
            throw values.error(["streams"], "at least one stream is required (a mapping from stream name to its url, vocabulary and settings)")
        }
        let streams = try values.document.streamNames.map(stream)

        // A derived control socket is too long because of socket_dir.
        let controlKey = values.raw(["control_socket"]) != nil ? ["control_socket"] : ["socket_dir"]
        try checkSocketPath(controlSocket, key: controlKey, what: "the control socket")
        for stream in streams where stream.outputs.socket {
            let socket = (socketDirectory as NSString).appendingPathComponent("\(stream.name).sock")
            try checkSocketPath(socket, key: ["socket_dir"], what: "stream \(stream.name)'s label socket")
        }
        return DaemonConfig(model: model, threads: threads, outputRoot: outputRoot, socketDirectory: socketDirectory,
                            controlSocket: controlSocket, vocabularyDirectory: vocabularyDirectory,
                            cacheDirectory: cacheDirectory, cacheMaxMegabytes: cacheMax, memoryLimitMegabytes: memoryLimit, metricsListen: metricsListen, shutdownTimeout: shutdownTimeout,
                            reconnect: reconnect, streams: streams)
    }

    private func reconnectPolicy() throws -> ReconnectPolicy {
        let defaults = ReconnectPolicy()
        let initial = try values.positiveNumber(["reconnect", "initial_delay"], unit: " of seconds") ?? defaults.initialDelay
        let maxDelay = try values.positiveNumber(["reconnect", "max_delay"], unit: " of seconds") ?? defaults.maxDelay
        let stall = try values.positiveNumber(["reconnect", "stall_timeout"], unit: " of seconds") ?? defaults.stallTimeout
        guard maxDelay >= initial else {
            let key = values.raw(["reconnect", "max_delay"]) != nil ? ["reconnect", "max_delay"] : ["reconnect", "initial_delay"]
            throw values.error(key, "reconnect.max_delay (\(Self.format(maxDelay))) must not be less than reconnect.initial_delay (\(Self.format(initial)))")
        }
        return ReconnectPolicy(initialDelay: initial, maxDelay: maxDelay, stallTimeout: stall)
    }

    private func stream(_ name: String) throws -> StreamConfig {
        let key = ["streams", name]
        guard StreamNames.isValid(name) else {
            throw values.error(key, "invalid stream name: \(StreamNames.rule)")
        }
        let url = try values.requiredString(key + ["url"], hint: "anything FFmpeg opens: rtsp://…, http://…, a file, v4l2:///dev/video0")
        let vocabulary = try vocabularySpec(key + ["vocabulary"])
        let task = try values.choice(key + ["task"], of: StreamConfig.Task.self) ?? .panoptic
        let fps = try values.positiveNumber(key + ["fps"], unit: " of frames per second")
        let inputSize = try values.integer(key + ["input_size"], in: StreamConfig.inputSizeRange,
                                           why: "the model's working memory grows with the square of the input size")
        let inputMaxSize = try values.integer(key + ["input_max_size"], in: StreamConfig.inputMaxSizeRange,
                                              why: "the model's working memory grows with the input area")
        if let inputSize, let inputMaxSize, inputMaxSize < inputSize {
            throw values.error(key + ["input_max_size"], "must not be less than input_size (\(inputSize)); got \(inputMaxSize)")
        }
        let outputs = try self.outputs(key + ["outputs"])
        let defaults = StreamConfig.Retention()
        let retention = StreamConfig.Retention(
            segmentMinutes: try values.positiveNumber(key + ["retention", "segment_minutes"], unit: " of minutes") ?? defaults.segmentMinutes,
            maxAgeHours: try values.positiveNumber(key + ["retention", "max_age_hours"], unit: " of hours"),
            maxMegabytes: try values.positiveNumber(key + ["retention", "max_megabytes"], unit: " of megabytes"))
        let paused = try values.bool(key + ["paused"]) ?? false
        return StreamConfig(name: name, url: url, vocabulary: vocabulary, task: task, fps: fps, inputSize: inputSize,
                            inputMaxSize: inputMaxSize, outputs: outputs, retention: retention, paused: paused,
                            tracking: try tracking(key + ["tracking"]), reuse: try reuse(key + ["reuse"]))
    }

    /// `reuse`: change gating, `gate` unless `mode: off`.
    private func reuse(_ key: [String]) throws -> ReuseOptions {
        var options = ReuseOptions(mode: try values.choice(key + ["mode"], of: ReuseOptions.Mode.self) ?? .gate)
        if let threshold = try values.number(key + ["threshold"], in: 0...255, unit: " of luma levels") { options.threshold = threshold }
        if let interval = try values.number(key + ["max_interval"], in: 0...3600, unit: " of seconds") {
            options.maxIntervalSeconds = interval
        }
        return options
    }

    /// `tracking`: the tracker's settings (defaults: `TrackerOptions()`), nil when disabled.
    private func tracking(_ key: [String]) throws -> TrackerOptions? {
        guard try values.bool(key + ["enabled"]) ?? true else { return nil }
        var options = TrackerOptions()
        if let frames = try values.integer(key + ["grace_frames"], in: 0...10_000, why: "processed frames a lost track is kept") {
            options.graceFrames = frames
        }
        if let seconds = try values.number(key + ["grace_seconds"], in: 0...3600, unit: " of seconds") { options.graceSeconds = seconds }
        if let hits = try values.integer(key + ["confirm_hits"], in: 1...1000, why: "frames a new object must be seen before its `new` event") {
            options.confirmHits = hits
        }
        if let score = try values.number(key + ["min_score"], in: 0...1, unit: "") { options.filter.minScore = score }
        if let area = try values.integer(key + ["min_area"], in: 0...(1 << 30), why: "pixels") { options.filter.minArea = area }
        if let interval = try values.number(key + ["update_interval"], in: 0...86_400, unit: " of seconds") {
            options.updateInterval = interval
        }
        return options
    }

    private func outputs(_ key: [String]) throws -> StreamConfig.Outputs {
        let defaults = StreamConfig.Outputs()
        let outputs = StreamConfig.Outputs(
            disk: try values.bool(key + ["disk"]) ?? defaults.disk,
            socket: try values.bool(key + ["socket"]) ?? defaults.socket,
            overlay: try values.bool(key + ["overlay"]) ?? defaults.overlay,
            semantic: try values.bool(key + ["semantic"]) ?? defaults.semantic)
        if outputs.semantic, !outputs.disk {
            throw values.error(key + ["semantic"], "semantic PNGs are written with the disk output; set outputs.disk: true or outputs.semantic: false")
        }
        if !outputs.disk, !outputs.socket, !outputs.overlay {
            throw values.error(key, "every output is off (disk, socket and overlay); the stream would produce nothing")
        }
        return outputs
    }

    /// The vocabulary as given, with a relative `@FILE` made absolute; it must resolve.
    private func vocabularySpec(_ key: [String]) throws -> String {
        guard let raw = values.raw(key), !raw.text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw values.error(key, "is required (a built-in name such as coco, inline classes such as \"person; forklift\", or @FILE)")
        }
        var spec = raw.text.trimmingCharacters(in: .whitespacesAndNewlines)
        if spec.hasPrefix("@") {
            let file = String(spec.dropFirst()).trimmingCharacters(in: .whitespaces)
            if !file.isEmpty, !file.hasPrefix("~") { spec = "@" + path(file) }
        }
        do {
            _ = try Vocabulary.resolve(spec)
        } catch let error as VocabularyError {
            throw values.error(raw, "invalid vocabulary: \(error.description)")
        }
        return spec
    }

    private func metricsAddress() throws -> String? {
        guard let raw = values.raw(["metrics", "listen"]) else { return nil }
        let text = raw.text.trimmingCharacters(in: .whitespaces)
        guard HostPort.isValid(text) else {
            throw values.error(raw, "must be host:port, e.g. 127.0.0.1:9464, 0.0.0.0:9464 or [::1]:9464 (got \(raw.text))")
        }
        return text
    }

    private func checkSocketPath(_ path: String, key: [String], what: String) throws {
        let limit = 107  // sizeof(sockaddr_un.sun_path) - 1 on Linux
        let length = path.utf8.count
        guard length <= limit else {
            throw values.error(key, "\(what) would be \(path) (\(length) bytes); a Unix socket path can have at most \(limit)")
        }
    }

    /// `value` with `~` expanded, made absolute against `baseDirectory`, and `.`/`..` removed
    /// (symbolic links are kept).
    private func path(_ value: String) -> String {
        let expanded = (value as NSString).expandingTildeInPath
        let url = expanded.hasPrefix("/") ? URL(fileURLWithPath: expanded)
            : URL(fileURLWithPath: baseDirectory, isDirectory: true).appendingPathComponent(expanded)
        return url.standardized.path
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}
