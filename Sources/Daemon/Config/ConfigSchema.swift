import CLIP

/// The shape of the configuration file: which keys exist and which of them hold mappings.
/// Only this shape is checked here (unknown keys, a mapping where a value belongs); values are
/// checked when they are read (`ConfigParser`).
indirect enum ConfigSchema: Sendable {
    /// A single value (string, number, boolean or null).
    case value
    /// A mapping with a fixed set of keys.
    case mapping([String: ConfigSchema])
    /// A mapping whose keys are names chosen by the user (`streams`), each holding `ConfigSchema`.
    case named(ConfigSchema)

    /// The daemon's configuration file; config/segd.yaml documents every key.
    static let daemon: ConfigSchema = .mapping([
        "model": .value,
        "threads": .value,
        "memory_limit_mb": .value,
        "output_root": .value,
        "socket_dir": .value,
        "control_socket": .value,
        "vocabulary_dir": .value,
        "cache_dir": .value,
        "cache_max_mb": .value,
        "metrics": .mapping(["listen": .value]),
        "shutdown_timeout": .value,
        "reconnect": .mapping([
            "initial_delay": .value,
            "max_delay": .value,
            "stall_timeout": .value,
        ]),
        "streams": .named(stream),
    ])

    /// One entry under `streams`.
    static let stream: ConfigSchema = .mapping([
        "url": .value,
        "vocabulary": .value,
        "task": .value,
        "fps": .value,
        "input_size": .value,
        "input_max_size": .value,
        "outputs": .mapping([
            "disk": .value,
            "socket": .value,
            "overlay": .value,
            "semantic": .value,
        ]),
        "retention": .mapping([
            "segment_minutes": .value,
            "max_age_hours": .value,
            "max_megabytes": .value,
        ]),
        "paused": .value,
        "reuse": .mapping([
            "mode": .value,
            "threshold": .value,
            "max_interval": .value,
        ]),
        "tracking": .mapping([
            "enabled": .value,
            "grace_frames": .value,
            "grace_seconds": .value,
            "confirm_hits": .value,
            "min_score": .value,
            "min_area": .value,
            "update_interval": .value,
        ]),
    ])
}

extension ConfigSchema {
    /// For an unknown key, the known key it most likely meant (at most two edits away), if any.
    static func suggestion(for key: String, among known: some Collection<String>) -> String? {
        let candidates = known.map { ($0, editDistance(key.lowercased(), $0)) }.filter { $0.1 <= 2 }
        return candidates.min { $0.1 < $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }?.0
    }

    /// Levenshtein distance with adjacent transpositions counted as one edit (`fsp` → `fps`).
    static func editDistance(_ a: String, _ b: String) -> Int {
        Vocabulary.editDistance(a, b)
    }
}
