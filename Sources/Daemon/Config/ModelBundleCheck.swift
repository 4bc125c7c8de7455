import Foundation
import ModelIO

extension DaemonConfig {
    /// Opens `model` and compares its weights with what its model.json implies (a header
    /// comparison; no weights are read). Throws a `ConfigError` about the key `model`, located at
    /// its line in `configPath` (or naming `SEGD_MODEL` when the environment set it), when the
    /// bundle is missing, unreadable or incomplete.
    @discardableResult
    public func checkModelBundle(configPath: String,
                                 environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ModelBundle {
        func failure(_ message: String) -> ConfigError {
            let variable = DaemonConfig.environmentVariable(forKey: ["model"])
            if let value = environment[variable], !value.trimmingCharacters(in: .whitespaces).isEmpty {
                return ConfigError(path: configPath, key: "model", message: "\(message) (from environment variable \(variable))")
            }
            let text = (try? String(contentsOfFile: configPath, encoding: .utf8)) ?? ""
            let line = (try? ConfigDocument(text: text, path: configPath))?.line(of: ["model"])
            return ConfigError(path: configPath, key: "model", line: line, message: message)
        }
        let bundle: ModelBundle
        do {
            bundle = try ModelBundle(directory: model)
        } catch {
            throw failure("cannot open the model bundle: \(error)")
        }
        let check = bundle.check()
        guard check.isComplete else {
            var problems: [String] = []
            if !check.missing.isEmpty { problems.append("\(check.missing.count) missing (first: \(check.missing[0].key))") }
            if !check.misshapen.isEmpty { problems.append("\(check.misshapen.count) with a wrong shape (first: \(check.misshapen[0].key))") }
            if !check.wrongDType.isEmpty { problems.append("\(check.wrongDType.count) not floating-point (first: \(check.wrongDType[0]))") }
            throw failure("the model bundle \(model) is incomplete: \(problems.joined(separator: ", ")) tensors; `segd model inspect \(model)` lists them")
        }
        return bundle
    }
}
