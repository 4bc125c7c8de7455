import Pipeline

/// Everything `segd serve` is configured with (config/segd.yaml documents every key).
/// Loaded and validated by `DaemonConfig.load(path:environment:)` (ConfigLoader.swift).
public struct DaemonConfig: Sendable, Equatable {
    /// The model bundle folder (`model`).
    public var model: String
    /// Compute threads; nil = every core (`threads`).
    public var threads: Int?
    /// The values `threads` may take: 1 to 256.
    public static let threadRange = 1...256
    /// Memory one model pass may use, in MiB (`memory_limit_mb`); nil = what the system has
    /// available when a stream starts. A stream whose input size needs more is not started.
    public var memoryLimitMegabytes: Int?
    /// Per-stream output folders go under this (`output_root`): `<output_root>/<stream>/`.
    public var outputRoot: String
    /// Per-stream label sockets go here (`socket_dir`): `<socket_dir>/<stream>.sock`.
    public var socketDirectory: String
    /// The control socket for `segd ctl` (`control_socket`).
    public var controlSocket: String
    /// The folder whose vocabulary files a control client may name (`vocabulary_dir`):
    /// `segd ctl vocab STREAM @NAME` reads `<vocabulary_dir>/NAME`. nil = control clients cannot
    /// name files at all (inline classes and built-in names only).
    public var vocabularyDirectory: String?
    /// The cache folder for text classifiers (`cache_dir`); nil = the default: `$CACHE_DIRECTORY`
    /// (systemd's `CacheDirectory=`), else `$XDG_CACHE_HOME/segd`, else `~/.cache/segd`.
    public var cacheDirectory: String?
    /// The bound on the text-embedding cache, in MiB (`cache_max_mb`, default 256).
    public var cacheMaxMegabytes: Int
    /// The values `cache_max_mb` may take: 1 MiB to 1 TiB.
    public static let cacheMaxMegabytesRange = 1...(1 << 20)
    /// `host:port` for Prometheus metrics, nil = no metrics server (`metrics.listen`).
    public var metricsListen: String?
    /// Seconds allowed to drain and flush on SIGTERM before exiting anyway (`shutdown_timeout`).
    public var shutdownTimeout: Double
    /// Reconnect behaviour shared by every stream (`reconnect`).
    public var reconnect: ReconnectPolicy
    /// The streams, in file order (`streams`: a mapping from name to settings).
    public var streams: [StreamConfig]

    public init(model: String, threads: Int? = nil, outputRoot: String, socketDirectory: String, controlSocket: String,
                vocabularyDirectory: String? = nil, cacheDirectory: String? = nil, cacheMaxMegabytes: Int = 256,
                memoryLimitMegabytes: Int? = nil, metricsListen: String? = nil, shutdownTimeout: Double = 10, reconnect: ReconnectPolicy = ReconnectPolicy(),
                streams: [StreamConfig]) {
        self.model = model
        self.threads = threads
        self.outputRoot = outputRoot
        self.socketDirectory = socketDirectory
        self.controlSocket = controlSocket
        self.vocabularyDirectory = vocabularyDirectory
        self.cacheDirectory = cacheDirectory
        self.cacheMaxMegabytes = cacheMaxMegabytes
        self.memoryLimitMegabytes = memoryLimitMegabytes
        self.metricsListen = metricsListen
        self.shutdownTimeout = shutdownTimeout
        self.reconnect = reconnect
        self.streams = streams
    }
}

/// How a failed, stalled or ended source is reopened: after `initialDelay` seconds, doubling
/// up to `maxDelay`, forever; the delay resets once the source has run for `maxDelay` seconds.
public struct ReconnectPolicy: Sendable, Equatable {
    /// `reconnect.initial_delay`, seconds.
    public var initialDelay: Double
    /// `reconnect.max_delay`, seconds.
    public var maxDelay: Double
    /// `reconnect.stall_timeout`: seconds without data before a source counts as stalled.
    public var stallTimeout: Double

    public init(initialDelay: Double = 1, maxDelay: Double = 30, stallTimeout: Double = 10) {
        self.initialDelay = initialDelay
        self.maxDelay = maxDelay
        self.stallTimeout = stallTimeout
    }
}

/// One named stream (`streams.<name>`).
public struct StreamConfig: Sendable, Equatable {
    public enum Task: String, Sendable, Equatable, CaseIterable {
        case panoptic, semantic, instance
    }

    /// The key under `streams` (`StreamNames.rule`: 1 to 64 letters, digits, `-`, `_`, `.`, starting
    /// with a letter or digit); names the output folder, the socket and the metrics label.
    public var name: String
    /// Anything FFmpeg opens: rtsp://, http://, tcp://, udp://, a file, v4l2:///dev/video0 (`url`).
    public var url: String
    /// A built-in name, inline classes, or @FILE (`vocabulary`), as `segd segment --vocab`. `load`
    /// checks that it resolves and makes a relative @FILE absolute (relative to the config file).
    public var vocabulary: String
    /// `task`, default panoptic.
    public var task: Task
    /// At most this many frames per second are segmented; nil = as many as the model manages (`fps`).
    public var fps: Double?
    /// Model input short side (`input_size`); nil = the bundle's `min_size_test`. The long side is
    /// capped at `input_max_size` (default: the bundle's ratio max/min times this).
    public var inputSize: Int?
    /// The values `input_size` may take: 16 to 4096 pixels.
    public static let inputSizeRange = 16...4096
    /// The values `input_max_size` may take: 16 to 8192 pixels.
    public static let inputMaxSizeRange = 16...8192
    /// `input_max_size`; see `inputSize`.
    public var inputMaxSize: Int?
    /// `outputs`.
    public var outputs: Outputs
    /// `retention`.
    public var retention: Retention
    /// Start paused (`paused`, default false).
    public var paused: Bool
    /// Track ids and object events (`tracking`): the tracker's settings, nil when
    /// `tracking.enabled` is false (ids are then per frame and no events are written).
    public var tracking: TrackerOptions?
    /// Change gating (`reuse`): frames that barely changed since the last full frame carry its
    /// result instead of running the model. Default: `gate` with the defaults of `ReuseOptions`.
    public var reuse: ReuseOptions

    public struct Outputs: Sendable, Equatable {
        /// labels.jsonl and panoptic (or semantic) PNGs under `<output_root>/<name>/` (`outputs.disk`, default true).
        public var disk: Bool
        /// The label socket `<socket_dir>/<name>.sock` (`outputs.socket`, default true).
        public var socket: Bool
        /// overlay.mp4 next to labels.jsonl (`outputs.overlay`, default false).
        public var overlay: Bool
        /// Semantic PNGs as well (`outputs.semantic`, default false).
        public var semantic: Bool

        public init(disk: Bool = true, socket: Bool = true, overlay: Bool = false, semantic: Bool = false) {
            self.disk = disk
            self.socket = socket
            self.overlay = overlay
            self.semantic = semantic
        }
    }

    /// Disk outputs are written in segments (one folder per `segment_minutes`), and whole
    /// segments are deleted when older than `max_age_hours` or when the stream's folder exceeds
    /// `max_megabytes` (oldest first; the segment being written is never deleted).
    public struct Retention: Sendable, Equatable {
        /// `retention.segment_minutes`, default 60.
        public var segmentMinutes: Double
        /// `retention.max_age_hours`; nil = keep forever.
        public var maxAgeHours: Double?
        /// `retention.max_megabytes`; nil = no size limit.
        public var maxMegabytes: Double?

        public init(segmentMinutes: Double = 60, maxAgeHours: Double? = nil, maxMegabytes: Double? = nil) {
            self.segmentMinutes = segmentMinutes
            self.maxAgeHours = maxAgeHours
            self.maxMegabytes = maxMegabytes
        }
    }

    public init(name: String, url: String, vocabulary: String, task: Task = .panoptic, fps: Double? = nil,
                inputSize: Int? = nil, inputMaxSize: Int? = nil, outputs: Outputs = Outputs(),
                retention: Retention = Retention(), paused: Bool = false, tracking: TrackerOptions? = TrackerOptions(),
                reuse: ReuseOptions = ReuseOptions(mode: .gate)) {
        self.tracking = tracking
        self.reuse = reuse
        self.name = name
        self.url = url
        self.vocabulary = vocabulary
        self.task = task
        self.fps = fps
        self.inputSize = inputSize
        self.inputMaxSize = inputMaxSize
        self.outputs = outputs
        self.retention = retention
        self.paused = paused
    }
}
