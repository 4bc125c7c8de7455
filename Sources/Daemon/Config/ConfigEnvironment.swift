extension DaemonConfig {
    /// Every environment variable that overrides a file value starts with this.
    public static let environmentPrefix = "SEGD"

    /// The environment variable that overrides the file value at `key` (a dotted path such as
    /// `streams.front-door.fps`, or its components). This is swift-configuration's
    /// `EnvironmentVariablesProvider` naming applied to the key with `segd` prepended: each
    /// component is split at lower-to-upper case changes, upper-cased, every character that is
    /// not a letter or digit becomes `_`, and the components are joined with `_`:
    ///
    ///     model                      SEGD_MODEL
    ///     metrics.listen             SEGD_METRICS_LISTEN
    ///     reconnect.max_delay        SEGD_RECONNECT_MAX_DELAY
    ///     streams.front-door.fps     SEGD_STREAMS_FRONT_DOOR_FPS
    ///     streams.dock.outputs.disk  SEGD_STREAMS_DOCK_OUTPUTS_DISK
    public static func environmentVariable(forKey key: [String]) -> String {
        ([environmentPrefix.lowercased()] + key).map(environmentComponent).joined(separator: "_")
    }

    /// `environmentVariable(forKey:)` for a dotted key; stream names containing `.` need the
    /// component form.
    public static func environmentVariable(forKey dottedKey: String) -> String {
        environmentVariable(forKey: dottedKey.split(separator: ".", omittingEmptySubsequences: false).map(String.init))
    }

    private static func environmentComponent(_ component: String) -> String {
        var split = ""
        var previous: Character?
        for character in component {
            if let previous, previous.isLowercase, character.isUppercase { split.append("_") }
            split.append(character)
            previous = character
        }
        return String(split.uppercased().map { $0.isLetter || $0.isNumber ? $0 : "_" })
    }
}

extension DaemonConfig {
    /// Every environment variable that can override a key of this configuration, its streams'
    /// keys included, sorted. Other `SEGD_*` variables (such as segd's own `SEGD_BLAS_*`) are not
    /// configuration.
    public var environmentVariables: [String] {
        var names: [String] = []
        func collect(_ schema: ConfigSchema, at path: [String]) {
            switch schema {
            case .value: names.append(Self.environmentVariable(forKey: path))
            case .mapping(let keys): for (key, child) in keys { collect(child, at: path + [key]) }
            case .named(let entry): for stream in streams { collect(entry, at: path + [stream.name]) }
            }
        }
        collect(.daemon, at: [])
        return names.sorted()
    }
}
