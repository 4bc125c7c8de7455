import Configuration
import Foundation

/// Raw configuration values read through swift-configuration: a `ConfigReader` over the
/// environment (variables named by `DaemonConfig.environmentVariable(forKey:)`) first, then the
/// YAML file. Each value remembers where it came from, so errors can name the file line or the
/// environment variable.
struct ConfigValues {
    /// One value as text, with its origin.
    struct Raw {
        var text: String
        var key: [String]
        /// The file line, when the value came from the file.
        var line: Int?
        /// The environment variable, when the value came from the environment.
        var variable: String?
    }

    let document: ConfigDocument
    private let reader: ConfigReader
    private let environment: [String: String]

    init(document: ConfigDocument, data: Data, environment: [String: String]) throws {
        self.document = document
        // An empty variable counts as unset, so the file's value (or the default) applies.
        let environment = environment.filter { !$0.value.trimmingCharacters(in: .whitespaces).isEmpty }
        self.environment = environment
        let file: YAMLTextProvider
        do {
            file = try YAMLTextProvider(data: data, name: document.path)
        } catch {
            throw ConfigError(path: document.path, message: "cannot read the YAML: \(error)")
        }
        let variables = EnvironmentVariablesProvider(environmentVariables: environment)
            .prefixKeys(with: ConfigKey([DaemonConfig.environmentPrefix.lowercased()]))
        reader = ConfigReader(providers: [variables, file])
    }

    /// The value at `key`, or nil when it is absent or null in the file and not set (non-empty)
    /// in the environment.
    func raw(_ key: [String]) -> Raw? {
        guard let text = reader.string(forKey: ConfigKey(key)) else { return nil }
        let variable = DaemonConfig.environmentVariable(forKey: key)
        if environment[variable] != nil {
            return Raw(text: text.trimmingCharacters(in: .whitespaces), key: key, variable: variable)
        }
        if document.nulls.contains(key) { return nil }
        return Raw(text: text, key: key, line: document.lines[key])
    }

    /// An error about `raw`'s value, located at its line or naming its environment variable.
    func error(_ raw: Raw, _ message: String) -> ConfigError {
        var message = message
        if let variable = raw.variable { message += " (from environment variable \(variable))" }
        return ConfigError(path: document.path, key: ConfigDocument.dotted(raw.key), line: raw.line, message: message)
    }

    /// An error about `key`, located at its line or the line of the nearest enclosing key.
    func error(_ key: [String], _ message: String) -> ConfigError {
        ConfigError(path: document.path, key: ConfigDocument.dotted(key), line: document.line(of: key), message: message)
    }
}
