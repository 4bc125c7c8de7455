import Foundation

/// The package's module graph as Package.swift declares it: each target's name, source folder
/// and the project targets in its `dependencies:` list (products of other packages left out).
/// Read from the manifest's text, so that the graph is written once, in Package.swift.
struct ModuleGraph {
    /// Target name → the project targets it lists as dependencies.
    private(set) var dependencies: [String: [String]] = [:]
    /// Target name → its source folder, relative to the package root.
    private(set) var paths: [String: String] = [:]

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Parses the `.target(…)`, `.executableTarget(…)`, `.testTarget(…)`, `.systemLibrary(…)`
    /// declarations of a manifest (wherever they are, `package.targets += […]` included).
    init(manifest: String) throws {
        let text = Array(Self.withoutComments(manifest))
        let kinds = ["target", "executableTarget", "testTarget", "systemLibrary", "binaryTarget", "plugin", "macro"]
        var declared: [(name: String, kind: String, deps: [String], path: String?)] = []
        var i = 0
        while i < text.count {
            guard text[i] == ".", let kind = kinds.first(where: { Self.matches(text, at: i + 1, $0 + "(") }) else {
                i += 1
                continue
            }
            let open = i + 1 + kind.count
            guard let close = Self.closing(text, from: open) else { throw Failure(description: "unbalanced .\(kind)( in the manifest") }
            let arguments = Array(text[(open + 1)..<close])
            // The declaration's own arguments: nested calls (a dependency's `.target(name:)`) blanked.
            let flat = String(Self.flattened(arguments))
            guard let name = Self.stringArgument("name", in: flat) else {
                throw Failure(description: ".\(kind)( without a name in the manifest: \(String(arguments.prefix(80)))")
            }
            var deps: [String] = []
            if let label = flat.range(of: #"dependencies\s*:\s*\["#, options: .regularExpression) {
                let bracket = flat.distance(from: flat.startIndex, to: label.upperBound) - 1
                guard let end = Self.closing(arguments, from: bracket) else { throw Failure(description: "unbalanced dependencies of \(name)") }
                deps = Self.elements(Array(arguments[(bracket + 1)..<end])).compactMap(Self.targetName)
            }
            declared.append((name, kind, deps, Self.stringArgument("path", in: flat)))
            i = close + 1  // a nested `.target(name:)` is a dependency, not a declaration
        }
        let names = Set(declared.map(\.name))
        for target in declared {
            guard dependencies[target.name] == nil else { throw Failure(description: "target \(target.name) declared twice") }
            for dep in target.deps where !names.contains(dep) {
                throw Failure(description: "\(target.name) depends on \(dep), which the manifest does not declare")
            }
            dependencies[target.name] = target.deps
            paths[target.name] = target.path ?? (target.kind == "testTarget" ? "Tests/" : "Sources/") + target.name
        }
    }

    var targets: [String] { dependencies.keys.sorted() }

    /// A dependency cycle (its first target repeated at the end), or nil when the graph is acyclic.
    func cycle() -> [String]? {
        var state: [String: Int] = [:]  // 1 = on the current path, 2 = done
        var path: [String] = []
        func visit(_ node: String) -> [String]? {
            if state[node] == 2 { return nil }
            if state[node] == 1 { return Array(path.drop { $0 != node }) + [node] }
            state[node] = 1
            path.append(node)
            for dep in dependencies[node] ?? [] {
                if let found = visit(dep) { return found }
            }
            path.removeLast()
            state[node] = 2
            return nil
        }
        for node in targets {
            if let found = visit(node) { return found }
        }
        return nil
    }

    /// The targets by layer: layer 0 depends on no project target, layer n on layers below n
    /// only (an acyclic graph).
    func layers() -> [[String]] {
        var depth: [String: Int] = [:]
        func level(_ node: String) -> Int {
            if let d = depth[node] { return d }
            let d = (dependencies[node] ?? []).map { level($0) + 1 }.max() ?? 0
            depth[node] = d
            return d
        }
        for node in targets { _ = level(node) }
        let top = depth.values.max() ?? -1
        return top < 0 ? [] : (0...top).map { d in targets.filter { depth[$0] == d } }
    }

    // MARK: - Reading the manifest

    private static func matches(_ text: [Character], at index: Int, _ word: String) -> Bool {
        let w = Array(word)
        return index + w.count <= text.count && Array(text[index..<(index + w.count)]) == w
    }

    /// The text with `//` and `/* */` comments replaced by spaces (string literals kept).
    static func withoutComments(_ source: String) -> String {
        var out: [Character] = []
        let s = Array(source)
        var i = 0
        while i < s.count {
            if matches(s, at: i, "\"\"\"") {
                let end = (i + 3..<s.count).first { matches(s, at: $0, "\"\"\"") }.map { $0 + 3 } ?? s.count
                out += s[i..<end]
                i = end
            } else if s[i] == "\"" {
                var j = i + 1
                while j < s.count && s[j] != "\"" && s[j] != "\n" { j += s[j] == "\\" ? 2 : 1 }
                let end = min(j + 1, s.count)
                out += s[i..<end]
                i = end
            } else if matches(s, at: i, "//") {
                while i < s.count && s[i] != "\n" { out.append(" "); i += 1 }
            } else if matches(s, at: i, "/*") {
                let end = (i + 2..<s.count).first { matches(s, at: $0, "*/") }.map { $0 + 2 } ?? s.count
                out += s[i..<end].map { $0 == "\n" ? "\n" : " " }
                i = end
            } else {
                out.append(s[i])
                i += 1
            }
        }
        return String(out)
    }

    /// The index of the bracket that closes the one at `open`, skipping string literals.
    static func closing(_ s: [Character], from open: Int) -> Int? {
        var depth = 0
        var i = open
        while i < s.count {
            switch s[i] {
            case "(", "[", "{": depth += 1
            case ")", "]", "}":
                depth -= 1
                if depth == 0 { return i }
            case "\"":
                i += 1
                while i < s.count && s[i] != "\"" { i += s[i] == "\\" ? 2 : 1 }
            default: break
            }
            i += 1
        }
        return nil
    }

    /// `arguments` with everything inside nested brackets blanked (same length).
    private static func flattened(_ arguments: [Character]) -> [Character] {
        var out = arguments
        var i = 0
        while i < arguments.count {
            if "([{".contains(arguments[i]), let end = closing(arguments, from: i) {
                for k in (i + 1)..<end { out[k] = " " }
                i = end + 1
            } else {
                i += 1
            }
        }
        return out
    }

    /// The elements of a list's contents, split at its top-level commas.
    private static func elements(_ list: [Character]) -> [String] {
        let flat = flattened(list)
        var parts: [String] = []
        var start = 0
        for (i, c) in flat.enumerated() where c == "," {
            parts.append(String(list[start..<i]))
            start = i + 1
        }
        parts.append(String(list[start...]))
        return parts.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
    }

    /// `"X"`, `.target(name: "X")` or `.byName(name: "X")` → X; `.product(…)` → nil (another package).
    private static func targetName(_ element: String) -> String? {
        if element.hasPrefix("\"") { return element.split(separator: "\"").first.map(String.init) }
        if element.hasPrefix(".target(") || element.hasPrefix(".byName(") { return stringArgument("name", in: element) }
        return nil
    }

    private static func stringArgument(_ label: String, in text: String) -> String? {
        guard let range = text.range(of: #"\b"# + label + #"\s*:\s*"[^"]*""#, options: .regularExpression) else { return nil }
        return text[range].split(separator: "\"", omittingEmptySubsequences: false).dropFirst().first.map(String.init)
    }
}

/// One `import` of a Swift file: its 1-based line and the module.
struct ImportLine: Equatable {
    let line: Int
    let module: String

    /// The imports of a Swift file: `import X`, with attributes (`@testable`, `@_exported`),
    /// an access level (`public import`) or a kind (`import struct X.Y`); comments and
    /// multi-line string literals are skipped.
    static func all(in source: String) -> [ImportLine] {
        let pattern = #"^\s*(?:@[A-Za-z_]+(?:\([^)]*\))?\s+)*(?:(?:public|package|internal|fileprivate|private)\s+)?import\s+(?:(?:typealias|struct|class|enum|protocol|let|var|func)\s+)?([A-Za-z_][A-Za-z0-9_]*)"#
        let regex = try! NSRegularExpression(pattern: pattern)
        var result: [ImportLine] = []
        var inString = false
        for (number, line) in ModuleGraph.withoutComments(source).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let text = String(line)
            let quotes = text.components(separatedBy: "\"\"\"").count - 1
            defer { if quotes % 2 == 1 { inString.toggle() } }
            guard !inString else { continue }
            let range = NSRange(text.startIndex..., in: text)
            if let match = regex.firstMatch(in: text, range: range), let module = Range(match.range(at: 1), in: text) {
                result.append(ImportLine(line: number + 1, module: String(text[module])))
            }
        }
        return result
    }
}

/// A source file of a target, as the graph check reads it.
struct TargetSource {
    let target: String
    /// Relative to the package root.
    let path: String
    let text: String

    /// Every `.swift` file of the targets whose folder is under `Sources/`, and the folders of
    /// `Sources/` that no target claims.
    static func read(root: String, graph: ModuleGraph) throws -> (files: [TargetSource], unclaimed: [String]) {
        var files: [TargetSource] = []
        let claimed = Set(graph.paths.values)
        for target in graph.targets {
            guard let folder = graph.paths[target], folder.hasPrefix("Sources/") else { continue }
            let base = root + "/" + folder
            guard let walker = FileManager.default.enumerator(atPath: base) else { continue }
            for case let relative as String in walker where relative.hasSuffix(".swift") {
                let text = try String(contentsOfFile: base + "/" + relative, encoding: .utf8)
                files.append(TargetSource(target: target, path: folder + "/" + relative, text: text))
            }
        }
        let folders = (try? FileManager.default.contentsOfDirectory(atPath: root + "/Sources")) ?? []
        let unclaimed = folders.sorted().map { "Sources/" + $0 }.filter { !claimed.contains($0) }
        return (files.sorted { $0.path < $1.path }, unclaimed)
    }

    /// Each import of a project module that the graph does not give the file's target, as a
    /// line naming the file, the import and what the target may import.
    static func violations(_ files: [TargetSource], graph: ModuleGraph) -> [String] {
        let project = Set(graph.targets)
        var found: [String] = []
        for file in files {
            let allowed = Set(graph.dependencies[file.target] ?? [])
            for entry in ImportLine.all(in: file.text) where project.contains(entry.module) && !allowed.contains(entry.module) {
                found.append("\(file.path):\(entry.line): \(file.target) imports \(entry.module), which Package.swift does not "
                             + "list among \(file.target)'s dependencies (\(allowed.sorted().joined(separator: ", ")))")
            }
        }
        return found
    }
}
