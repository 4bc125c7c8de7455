import CLIP
import Foundation
import FCCLIP
import Logging
import ModelIO
import Pipeline
import ServiceLifecycle
import Tensor
import UnixSignals

/// `segd serve`: watches the configured streams with one shared model and publishes their
/// label streams, until SIGTERM/SIGINT.
///
/// - Streams run independently (`StreamRunner`): a source that fails is reopened with back-off
///   and never affects the others; the model is shared fairly (`ModelArbiter`).
/// - SIGHUP re-reads the configuration: streams added or removed start or stop, a stream whose
///   only change is its vocabulary switches vocabulary in place (records carry the new
///   `vocab_version`), other changed streams restart, unchanged streams are not touched.
/// - SIGTERM/SIGINT (graceful shutdown through swift-service-lifecycle): every stream stops
///   reading, writes the frames already segmented and closes its sinks, within
///   `shutdown_timeout`; then the process exits 0.
/// - systemd: READY=1 once streams are started, STATUS= with a one-line summary, WATCHDOG=1
///   every half watchdog interval while the daemon's loop runs, STOPPING=1 on shutdown.
/// - The control socket (`segd ctl`) and the Prometheus endpoint (`metrics.listen`) serve the
///   same state.
public final class SegmentationDaemon: Service, DaemonControl, @unchecked Sendable {
    public let configPath: String
    private let environment: [String: String]
    private let logger: Logger
    private let arbiter: ModelArbiter
    private let notifier: SystemdNotifier
    private let metrics = DaemonMetrics()
    private let lock = NSLock()
    private var config: DaemonConfig
    private var runners: [String: StreamRunner] = [:]
    /// Streams that could not start, with why; shown by `segd ctl list`, retried by a reload.
    private var failures: [String: StreamStatus] = [:]
    /// Configuration order of the streams in `runners` and `failures`.
    private var order: [String] = []
    private var control: ControlServer?
    private var metricsServer: MetricsServer?
    private let reloadQueue = DispatchQueue(label: "segd.reload")

    /// Loads the configuration and the model. Throws `ConfigError` or the model's error.
    public init(configPath: String, environment: [String: String] = ProcessInfo.processInfo.environment,
                logger: Logger) throws {
        self.configPath = configPath
        self.environment = environment
        self.logger = logger
        config = try DaemonConfig.load(path: configPath, environment: environment)
        ComputeThreads.configure(threads: config.threads ?? ComputeThreads.available)
        let bundle: ModelBundle
        do {
            bundle = try ModelBundle(directory: config.model)
        } catch {
            throw ControlError("model \(config.model): \(error)")
        }
        arbiter = ModelArbiter(segmenter: try Segmenter(bundle: bundle))
        arbiter.segmenter.textCache = Self.textCache(config, environment: environment, logger: logger)
        notifier = SystemdNotifier(environment: environment)
    }

    /// The text classifier cache every stream and `segd ctl vocab` share: `cache_dir`, else
    /// `$CACHE_DIRECTORY` (the units' CacheDirectory=), `$XDG_CACHE_HOME/segd` or `~/.cache/segd`.
    /// Its failures are logged once each and never stop a stream.
    static func textCache(_ config: DaemonConfig, environment: [String: String], logger: Logger) -> TextEmbeddingCache? {
        guard let directory = config.cacheDirectory ?? CacheLocation.defaultDirectory(environment: environment) else {
            logger.warning("text classifier cache: no cache_dir, CACHE_DIRECTORY, XDG_CACHE_HOME or HOME; classifiers are computed in memory at every start")
            return nil
        }
        logger.info("text classifier cache: \(directory) (at most \(config.cacheMaxMegabytes) MiB)")
        return TextEmbeddingCache(directory: directory, maxBytes: config.cacheMaxMegabytes << 20,
                                  warn: { [logger] in logger.warning("\($0)") })
    }

    /// The metrics endpoint's port once running (tests bind port 0).
    public var metricsPort: Int? {
        lock.lock()
        defer { lock.unlock() }
        return metricsServer?.boundPort
    }

    public func run() async throws {
        try startServers()
        let streams = currentConfig.streams
        for stream in streams {
            startOrRecordFailure(stream)
        }
        notifier.ready(status: summary())
        logger.info("segd serving \(streams.count) stream(s) from \(configPath)")

        let hangups = await UnixSignalsSequence(trapping: .sighup)
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await _ in hangups {
                    self.reloadQueue.async {
                        do {
                            let message = try self.reloadConfiguration()
                            self.logger.info("SIGHUP: \(message)")
                        } catch {
                            self.logger.error("SIGHUP: configuration not reloaded: \(error)")
                        }
                    }
                }
            }
            group.addTask {
                let interval = min(self.notifier.watchdogInterval ?? 1, 1)
                while !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(interval))
                    self.tick()
                }
            }
            try? await gracefulShutdown()
            group.cancelAll()
        }
        notifier.stopping(status: "draining \(runnersInOrder().count) stream(s)")
        logger.info("shutting down: draining in-flight frames and flushing outputs")
        shutdown()
    }

    /// Stops every stream (writing what was segmented) and the servers.
    func shutdown() {
        lock.lock()
        let timeout = config.shutdownTimeout
        let all = order.compactMap { runners[$0] }
        runners.removeAll()
        failures.removeAll()
        order.removeAll()
        let control = self.control, metricsServer = self.metricsServer
        self.control = nil
        self.metricsServer = nil
        lock.unlock()
        let deadline = Date().addingTimeInterval(timeout)
        // Stop all at once, then wait: streams drain in parallel within one timeout.
        for runner in all { runner.pipeline.stop() }
        for runner in all where !runner.stop(timeout: max(deadline.timeIntervalSinceNow, 0.1)) {
            logger.error("stream \(runner.config.name) did not finish within shutdown_timeout (\(timeout) s)")
        }
        control?.close()
        metricsServer?.close()
    }

    // MARK: - DaemonControl

    public func streamStatuses() -> [StreamStatus] {
        lock.lock()
        let entries: [(StreamRunner?, StreamStatus?)] = order.map { (runners[$0], failures[$0]) }
        lock.unlock()
        return entries.compactMap { runner, failure in runner?.status ?? failure }
    }

    /// A control client's vocabulary: inline or built-in, or `@NAME` from `vocabulary_dir` only
    /// (`ControlVocabularyPolicy`).
    public func setVocabulary(stream: String, vocabulary: String) throws -> Int {
        let runner = try runner(stream)
        let policy = ControlVocabularyPolicy(folder: currentConfig.vocabularyDirectory)
        let resolved: ControlVocabularyPolicy.Resolved
        do {
            resolved = try policy.resolve(vocabulary)
        } catch {
            logger.warning("control: vocabulary for stream \(stream) refused: \(error)")
            throw error
        }
        let version = runner.setVocabulary(resolved.vocabulary, shownAs: resolved.spec)
        logger.info("control: stream \(stream): vocabulary set to \(LogEscaping.quote(resolved.spec)) (version \(version), \(resolved.vocabulary.classes.count) classes)")
        return version
    }

    public func pause(stream: String) throws {
        try runner(stream).source.paused = true
        logger.info("control: stream \(stream) paused")
    }

    public func resume(stream: String) throws {
        try runner(stream).source.paused = false
        logger.info("control: stream \(stream) resumed")
    }

    public func reload() throws -> String {
        do {
            let message = try reloadConfiguration()
            logger.info("control: reload: \(message)")
            return message
        } catch {
            logger.error("control: reload: configuration not reloaded: \(error)")
            throw error
        }
    }

    /// Re-reads the configuration and applies it (SIGHUP and `segd ctl reload`).
    func reloadConfiguration() throws -> String {
        let new = try DaemonConfig.load(path: configPath, environment: environment)
        lock.lock()
        let old = config
        config.streams = new.streams
        config.reconnect = new.reconnect
        config.shutdownTimeout = new.shutdownTimeout
        config.vocabularyDirectory = new.vocabularyDirectory
        config.memoryLimitMegabytes = new.memoryLimitMegabytes
        let notStarted = Set(failures.keys)
        let running = runners
        lock.unlock()
        // Streams that ended by an error of their own start again, like those that never started.
        let ended = Set(running.filter { $0.value.status.state == .failed }.map(\.key))
        var changes: [String] = []
        if new.model != old.model || new.threads != old.threads || new.controlSocket != old.controlSocket
            || new.metricsListen != old.metricsListen || new.outputRoot != old.outputRoot || new.socketDirectory != old.socketDirectory
            || new.cacheDirectory != old.cacheDirectory || new.cacheMaxMegabytes != old.cacheMaxMegabytes {
            changes.append("model, threads, output_root, socket_dir, control_socket, cache_dir, cache_max_mb and metrics changes take effect at the next restart")
        }
        let oldByName = Dictionary(uniqueKeysWithValues: old.streams.map { ($0.name, $0) })
        let newNames = Set(new.streams.map(\.name))
        for stream in old.streams where !newNames.contains(stream.name) {
            stopStream(stream.name)
            changes.append("removed \(stream.name)")
        }
        var unchanged: [String] = []
        for stream in new.streams {
            if ended.contains(stream.name) { stopStream(stream.name, keepingPlace: true) }
            if notStarted.contains(stream.name) || ended.contains(stream.name) {
                // Not running: start it as new.
                changes.append(startOrRecordFailure(stream) ? "started \(stream.name)" : "\(stream.name) failed again")
                continue
            }
            guard let previous = oldByName[stream.name] else {
                changes.append(startOrRecordFailure(stream) ? "added \(stream.name)" : "\(stream.name) failed to start")
                continue
            }
            var sameButVocabulary = previous
            sameButVocabulary.vocabulary = stream.vocabulary
            if previous == stream && new.reconnect == old.reconnect {
                unchanged.append(stream.name)
            } else if sameButVocabulary == stream && new.reconnect == old.reconnect {
                let version = try runner(stream.name).setVocabulary(stream.vocabulary)
                replaceConfig(of: stream.name, with: stream)
                changes.append("\(stream.name): vocabulary version \(version)")
            } else {
                stopStream(stream.name, keepingPlace: true)
                changes.append(startOrRecordFailure(stream) ? "restarted \(stream.name)" : "\(stream.name) failed to restart")
            }
        }
        if !unchanged.isEmpty { changes.append("unchanged \(unchanged.joined(separator: ", "))") }
        notifier.status(summary())
        return changes.isEmpty ? "nothing changed" : changes.joined(separator: "; ")
    }

    // MARK: - Streams

    private var currentConfig: DaemonConfig {
        lock.lock()
        defer { lock.unlock() }
        return config
    }

    private func startServers() throws {
        let config = currentConfig
        try FileManager.default.createDirectory(atPath: config.socketDirectory, withIntermediateDirectories: true)
        let control = try ControlServer(path: config.controlSocket, control: self)
        var server: MetricsServer? = nil
        if let listen = config.metricsListen { server = try MetricsServer(listen: listen, metrics: metrics) }
        lock.lock()
        self.control = control
        metricsServer = server
        lock.unlock()
    }

    /// Starts `stream`; when that fails, logs why and keeps the stream in `segd ctl list` as
    /// failed, without affecting the others. Returns whether it started.
    @discardableResult
    private func startOrRecordFailure(_ stream: StreamConfig) -> Bool {
        do {
            try startStream(stream)
            return true
        } catch {
            let message = String(describing: error)
            logger.error("stream \(stream.name) not started: \(message)")
            lock.lock()
            failures[stream.name] = StreamStatus(name: stream.name, url: stream.url, state: .failed, lastError: message,
                                                 vocabulary: stream.vocabulary)
            if !order.contains(stream.name) { order.append(stream.name) }
            lock.unlock()
            return false
        }
    }

    private func startStream(_ stream: StreamConfig) throws {
        let config = currentConfig
        let runner = try StreamRunner(config: stream, daemon: config, arbiter: arbiter, logger: logger)
        let name = stream.name
        runner.pipeline.statistics.observeStageTimes { [metrics] stage, seconds in
            metrics.recordStage(stream: name, stage: stage.rawValue, seconds: seconds)
        }
        lock.lock()
        runners[name] = runner
        failures[name] = nil
        if !order.contains(name) { order.append(name) }
        lock.unlock()
        runner.start()
        logger.info("stream \(name): \(stream.redactedURL)")
    }

    /// Stops stream `name`; `keepingPlace` keeps its position in `segd ctl list` for a restart.
    private func stopStream(_ name: String, keepingPlace: Bool = false) {
        lock.lock()
        let runner = runners.removeValue(forKey: name)
        failures[name] = nil
        if !keepingPlace { order.removeAll { $0 == name } }
        let timeout = config.shutdownTimeout
        lock.unlock()
        if let runner, !runner.stop(timeout: timeout) {
            logger.error("stream \(name) did not stop within shutdown_timeout (\(timeout) s)")
        }
    }

    private func replaceConfig(of name: String, with stream: StreamConfig) {
        lock.lock()
        if let i = config.streams.firstIndex(where: { $0.name == name }) { config.streams[i] = stream }
        lock.unlock()
    }

    private func runner(_ name: String) throws -> StreamRunner {
        lock.lock()
        defer { lock.unlock() }
        guard let runner = runners[name] else {
            throw ControlError("no stream named \(name) (streams: \(order.joined(separator: ", ")))")
        }
        return runner
    }

    private func runnersInOrder() -> [StreamRunner] {
        lock.lock()
        defer { lock.unlock() }
        return order.compactMap { runners[$0] }
    }

    /// Once a second: metrics, systemd status and watchdog.
    private func tick() {
        let statuses = streamStatuses()
        metrics.update(from: statuses)
        notifier.status(Self.summary(statuses))
        notifier.watchdog()
    }

    private func summary() -> String { Self.summary(streamStatuses()) }

    /// e.g. "3 streams: 2 running, 1 backing-off; 1234 frames processed".
    static func summary(_ statuses: [StreamStatus]) -> String {
        var counts: [StreamStatus.State: Int] = [:]
        for s in statuses { counts[s.state, default: 0] += 1 }
        let states = [StreamStatus.State.running, .connecting, .backingOff, .paused, .failed, .stopped]
            .compactMap { state in counts[state].map { "\($0) \(state.rawValue)" } }
        let processed = statuses.reduce(0) { $0 + $1.framesProcessed }
        return "\(statuses.count) stream\(statuses.count == 1 ? "" : "s")"
            + (states.isEmpty ? "" : ": " + states.joined(separator: ", ")) + "; \(processed) frames processed"
    }
}
