import Foundation
import Yams

/// The configuration file composed with Yams and checked against `ConfigSchema`: where every
/// key is (swift-configuration does not track lines), which keys hold null, and the stream names
/// in file order. Values themselves are read through swift-configuration (`ConfigValues`).
struct ConfigDocument {
    /// The file, for error messages.
    let path: String
    /// The 1-based line of every key present in the file, by key path.
    private(set) var lines: [[String]: Int] = [:]
    /// Key paths whose value is null (`key:`, `key: ~`, `key: null`): treated as absent.
    private(set) var nulls: Set<[String]> = []
    /// The keys under `streams`, in file order.
    private(set) var streamNames: [String] = []

    /// Composes `text` and checks its shape. Throws `ConfigError` for invalid YAML, an empty
    /// document, unknown keys, and a mapping or list where a single value belongs (or the reverse).
    init(text: String, path: String) throws {
        self.path = path
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw Self.error(from: error, path: path)
        }
        guard let root, !Self.isNull(root) else {
            throw ConfigError(path: path, message: "the file has no settings; at least `model` and `streams` are required")
        }
        try walk(root, schema: .daemon, at: [])
    }

    /// The line of `key`, or of its nearest enclosing key that is in the file.
    func line(of key: [String]) -> Int? {
        var key = key
        while !key.isEmpty {
            if let line = lines[key] { return line }
            key.removeLast()
        }
        return nil
    }

    private mutating func walk(_ node: Node, schema: ConfigSchema, at path: [String]) throws {
        switch schema {
        case .value:
            switch node {
            case .scalar: if Self.isNull(node) { nulls.insert(path) }
            case .mapping: throw shapeError(path, "must be a single value, not a mapping")
            case .sequence: throw shapeError(path, "must be a single value, not a list")
            case .alias: throw shapeError(path, "YAML aliases are not supported")
            }
        case .mapping(let known):
            for (key, value, keyPath) in try entries(of: node, at: path) {
                guard let child = known[key] else {
                    throw unknownKey(key, at: keyPath, known: known.keys.sorted())
                }
                try walk(value, schema: child, at: keyPath)
            }
        case .named(let entry):
            for (key, value, keyPath) in try entries(of: node, at: path) {
                if path == ["streams"] { streamNames.append(key) }
                try walk(value, schema: entry, at: keyPath)
            }
        }
    }

    /// A mapping's entries with their key paths, recording each key's line. A null mapping
    /// (`metrics:` with nothing under it) has no entries.
    private mutating func entries(of node: Node, at path: [String]) throws -> [(String, Node, [String])] {
        if Self.isNull(node) {
            nulls.insert(path)
            return []
        }
        guard case .mapping(let mapping) = node else {
            let what = if case .sequence = node { "a list" } else { "a single value" }
            let message = path.isEmpty ? "the file must be a YAML mapping of settings, not \(what)" : "must be a mapping of settings, not \(what)"
            throw shapeError(path, message)
        }
        var result: [(String, Node, [String])] = []
        for (keyNode, value) in mapping {
            guard case .scalar(let scalar) = keyNode else {
                throw ConfigError(path: self.path, key: Self.dotted(path), line: keyNode.mark?.line,
                                  message: "keys must be plain names, not mappings or lists")
            }
            let keyPath = path + [scalar.string]
            lines[keyPath] = scalar.mark?.line ?? value.mark?.line
            result.append((scalar.string, value, keyPath))
        }
        return result
    }

    private func unknownKey(_ key: String, at keyPath: [String], known: [String]) -> ConfigError {
        var message = "unknown key"
        if let suggestion = ConfigSchema.suggestion(for: key, among: known) {
            message += "; did you mean `\(suggestion)`?"
        } else {
            message += " (known here: \(known.joined(separator: ", ")))"
        }
        return ConfigError(path: path, key: Self.dotted(keyPath), line: lines[keyPath], message: message)
    }

    private func shapeError(_ keyPath: [String], _ message: String) -> ConfigError {
        ConfigError(path: path, key: keyPath.isEmpty ? nil : Self.dotted(keyPath), line: line(of: keyPath) ?? 1, message: message)
    }

    static func dotted(_ keyPath: [String]) -> String { keyPath.joined(separator: ".") }

    /// A plain scalar that YAML resolves to null (empty, `~`, `null`).
    static func isNull(_ node: Node) -> Bool {
        guard case .scalar(let scalar) = node, scalar.style == .plain || scalar.style == .any else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    /// Yams' parse errors as a `ConfigError` with the line of the problem.
    static func error(from error: YamlError, path: String) -> ConfigError {
        switch error {
        case .scanner(let context, let problem, let mark, _),
             .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            var message = "invalid YAML: \(problem)"
            if let context { message += " (\(context.text) at line \(context.mark.line))" }
            return ConfigError(path: path, line: mark.line, message: message)
        case .duplicatedKeysInMapping(let duplicates, let context):
            let names = duplicates.map { "`\($0)`" }.joined(separator: ", ")
            return ConfigError(path: path, line: context.mark.line,
                               message: "invalid YAML: duplicate key \(names) (first here, again later in the same mapping)")
        case .reader(let problem, let offset, _, let yaml):
            let line = offset.map { offset in yaml.prefix(offset).reduce(1) { $1 == "\n" ? $0 + 1 : $0 } }
            return ConfigError(path: path, line: line, message: "invalid YAML: \(problem)")
        default:
            return ConfigError(path: path, message: "invalid YAML: \(error)")
        }
    }
}
