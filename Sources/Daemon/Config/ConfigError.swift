/// Why a daemon configuration could not be loaded: the file, the key (dotted path such as
/// `streams.dock.fps`) and its line in the file when known, and what is wrong.
///
/// `description` reads like a compiler diagnostic:
/// `config/segd.yaml:12: streams.dock.fps: must be a positive number (got -2)`.
/// Values that came from an environment variable have no line; the message names the variable.
public struct ConfigError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The configuration file, as given to `DaemonConfig.load(path:)`.
    public var path: String
    /// The dotted key path the problem is about; nil for whole-file problems (unreadable, invalid YAML).
    public var key: String?
    /// The 1-based line in the file; nil when the value came from the environment or the file is unreadable.
    public var line: Int?
    /// What is wrong, without the location.
    public var message: String

    public init(path: String, key: String? = nil, line: Int? = nil, message: String) {
        self.path = path
        self.key = key
        self.line = line
        self.message = message
    }

    /// `path:line: key: message`, leaving out the parts that are unknown.
    public var description: String {
        var text = path
        if let line { text += ":\(line)" }
        text += ": "
        if let key { text += "\(key): " }
        return text + message
    }
}
