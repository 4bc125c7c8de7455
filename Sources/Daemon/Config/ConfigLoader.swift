import Foundation
import ModelIO

extension DaemonConfig {
    /// Reads `path` (YAML) with swift-configuration; environment variables override file values.
    ///
    /// Values are read through a `ConfigReader` over an `EnvironmentVariablesProvider` (first) and
    /// the file's YAML (`YAMLSnapshot`). Any key can be overridden by the variable
    /// `environmentVariable(forKey:)` names, e.g. `SEGD_THREADS=4` or
    /// `SEGD_STREAMS_DOCK_FPS=5`; stream names come from the file, so the environment can change a
    /// stream's settings but not add one. An empty variable counts as unset: the file's value, or
    /// the default, applies.
    ///
    /// The file is checked strictly: unknown keys, values of the wrong type or out of range, and
    /// vocabularies that do not resolve are errors naming the key and its line. Relative paths are
    /// relative to the folder holding `path`. config/segd.yaml documents every key.
    ///
    /// - Throws: `ConfigError`.
    public static func load(path: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> DaemonConfig {
        let data = try readFile(path)
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(path: path, message: "the file is not UTF-8 text")
        }
        let document = try ConfigDocument(text: text, path: path)
        let values = try ConfigValues(document: document, data: data, environment: environment)
        let base = URL(fileURLWithPath: path).deletingLastPathComponent().standardized.path
        return try ConfigParser(values: values, baseDirectory: base).parse()
    }

    private static func readFile(_ path: String) throws -> Data {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ConfigError(path: path, message: "no such file (an example with every key documented is config/segd.yaml)")
        }
        guard !isDirectory.boolValue else {
            throw ConfigError(path: path, message: "is a folder, not a configuration file")
        }
        do {
            // Only a regular file, at most 4 MiB: a FIFO or a device never blocks the daemon.
            return try RegularFile.read(path: path, what: "configuration file", limit: 4 << 20)
        } catch let error as ModelIOError {
            throw ConfigError(path: path, message: error.reason)
        } catch {
            throw ConfigError(path: path, message: "cannot read the file: \(error)")
        }
    }
}
