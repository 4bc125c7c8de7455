import Daemon
import Foundation

/// A temporary folder holding configuration files written by a test; removed on deinit.
final class ConfigScratch {
    let directory: String

    init() {
        directory = NSTemporaryDirectory() + "segd-config-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    /// Writes `text` to `name` in the folder and returns its path.
    @discardableResult
    func write(_ text: String, to name: String = "segd.yaml") -> String {
        let path = (directory as NSString).appendingPathComponent(name)
        try! text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Loads `text` as a configuration file with `environment` (never the process environment).
    func load(_ text: String, environment: [String: String] = [:]) throws -> DaemonConfig {
        try DaemonConfig.load(path: write(text), environment: environment)
    }

    /// The `ConfigError` loading `text` throws, or nil if it loads.
    func error(_ text: String, environment: [String: String] = [:]) -> ConfigError? {
        do {
            _ = try load(text, environment: environment)
            return nil
        } catch let error as ConfigError {
            return error
        } catch {
            return ConfigError(path: "?", message: "unexpected error type: \(error)")
        }
    }
}

/// A valid configuration with one stream, `dock`, for tests to extend.
let minimalConfig = """
    model: /models/fcclip
    streams:
      dock:
        url: rtsp://cam/1
        vocabulary: person; forklift
    """
