import ArgumentParser
import CLIP
import Foundation
import ModelIO

struct ModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "Work with model bundles.",
        subcommands: [ModelInspectCommand.self]
    )
}

/// `segd model inspect BUNDLE`: what is in a bundle and whether it is complete.
struct ModelInspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "List a bundle's tensors by module and check them against its model.json.",
        discussion: """
        Prints tensor counts, parameters and bytes per module prefix, then compares the weight \
        file with every tensor that model.json implies: missing tensors, wrong shapes, unexpected \
        keys and ignored training-only keys. Loads the tokenizer vocabulary as segment does. Exits \
        with status 1 if the bundle is incomplete or the tokenizer vocabulary cannot be used.
        """
    )

    @Argument(help: "The bundle folder (model.json, weights, tokenizer vocabulary).")
    var bundle: String

    @Option(help: "How many key components form a module prefix in the listing.")
    var depth: Int = 3

    @Flag(help: "Print a JSON report instead of text.")
    var json = false

    func validate() throws {
        if depth < 1 { throw ValidationError("--depth must be at least 1") }
    }

    func run() throws {
        let bundle: ModelBundle
        do {
            bundle = try ModelBundle(directory: self.bundle)
        } catch let error as ModelIOError {
            throw CLIError(error.description)
        }
        // The tokenizer is loaded as `segment` loads it, so a damaged vocabulary shows here too.
        var tokenizerProblem: String?
        do {
            _ = try CLIPTokenizer(vocabularyPath: bundle.tokenizerPath)
        } catch {
            tokenizerProblem = String(describing: error)
        }
        let report = BundleReport(bundle: bundle, depth: depth, tokenizerProblem: tokenizerProblem)
        print(json ? try report.json() : report.text())
        if !report.isUsable { throw ExitCode(1) }
    }
}

/// A printable summary of a bundle.
struct BundleReport {
    struct Group {
        var prefix: String
        var tensors = 0
        var parameters = 0
        var bytes = 0
    }
    let bundle: ModelBundle
    let check: BundleCheck
    let groups: [Group]
    /// Why the tokenizer vocabulary cannot be loaded, if it cannot.
    let tokenizerProblem: String?

    /// Complete weights and a tokenizer that loads.
    var isUsable: Bool { check.isComplete && tokenizerProblem == nil }

    init(bundle: ModelBundle, depth: Int, tokenizerProblem: String? = nil) {
        self.bundle = bundle
        self.tokenizerProblem = tokenizerProblem
        check = bundle.check()
        var byPrefix: [String: Group] = [:]
        for entry in bundle.weightFile.entries.values {
            let prefix = entry.name.split(separator: ".").dropLast().prefix(depth).joined(separator: ".")
            let key = prefix.isEmpty ? "(root)" : prefix
            byPrefix[key, default: Group(prefix: key)].tensors += 1
            byPrefix[key]!.parameters += entry.elementCount
            byPrefix[key]!.bytes += entry.byteCount
        }
        groups = byPrefix.values.sorted { $0.prefix < $1.prefix }
    }

    func text() -> String {
        let file = bundle.weightFile
        let dtypes = Set(file.entries.values.map(\.dtype.rawValue)).sorted().joined(separator: ", ")
        let totalBytes = groups.reduce(0) { $0 + $1.bytes }, totalParams = groups.reduce(0) { $0 + $1.parameters }
        var lines = [
            "bundle:    \(bundle.directory)",
            "model:     \(bundle.config.name) (\(bundle.config.format))",
            "weights:   \(file.path): \(file.entries.count) tensors, \(formatCount(totalParams)) values, \(formatBytes(totalBytes)), \(dtypes)",
            "tokenizer: \(bundle.tokenizerPath)\(tokenizerProblem == nil ? "" : " (cannot be loaded)")",
            "",
        ]
        let width = max(groups.map(\.prefix.count).max() ?? 0, 6)
        lines.append("module".padding(toLength: width, withPad: " ", startingAt: 0) + "  tensors       values       bytes")
        for g in groups {
            lines.append(g.prefix.padding(toLength: width, withPad: " ", startingAt: 0)
                         + leftPad(String(g.tensors), 9) + leftPad(formatCount(g.parameters), 13) + leftPad(formatBytes(g.bytes), 12))
        }
        lines.append("")
        let present = check.expected.count - check.missing.count
        lines.append("model.json implies \(check.expected.count) tensors: \(present) present, \(check.missing.count) missing, \(check.misshapen.count) with a wrong shape, \(check.wrongDType.count) not floating-point")
        for t in check.missing { lines.append("  missing:     \(t.key) (expected \(formatShape(t.shape)))") }
        for m in check.misshapen { lines.append("  wrong shape: \(m.key): found \(formatShape(m.found)), expected \(formatShape(m.expected))") }
        for k in check.wrongDType { lines.append("  wrong dtype: \(k): \(file.entries[k]!.dtype.rawValue), expected F32, F16 or BF16") }
        for k in check.unexpected { lines.append("  unexpected:  \(k) (not used by this model; ignored)") }
        for k in check.ignored { lines.append("  ignored:     \(k) (training-only)") }
        if let tokenizerProblem { lines.append("tokenizer vocabulary cannot be loaded: \(tokenizerProblem)") }
        if isUsable {
            lines.append("bundle is complete")
        } else {
            lines.append(check.isComplete ? "bundle is UNUSABLE: the tokenizer vocabulary cannot be loaded"
                                          : "bundle is INCOMPLETE: the weights do not match model.json")
        }
        return lines.joined(separator: "\n")
    }

    func json() throws -> String {
        let object: [String: Any] = [
            "bundle": bundle.directory,
            "name": bundle.config.name,
            "weights": bundle.weightFile.path,
            "tokenizer": bundle.tokenizerPath,
            "complete": isUsable,
            "weights_complete": check.isComplete,
            "tokenizer_error": tokenizerProblem.map { $0 as Any } ?? NSNull(),
            "expected": check.expected.count,
            "modules": groups.map { ["prefix": $0.prefix, "tensors": $0.tensors, "values": $0.parameters, "bytes": $0.bytes] as [String: Any] },
            "missing": check.missing.map { ["key": $0.key, "expected": $0.shape] as [String: Any] },
            "wrong_shape": check.misshapen.map { ["key": $0.key, "expected": $0.expected, "found": $0.found] as [String: Any] },
            "wrong_dtype": check.wrongDType,
            "unexpected": check.unexpected,
            "ignored": check.ignored,
        ]
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }
}

/// An error printed as `Error: <message>` with exit status 1 by the argument parser.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}

func leftPad(_ s: String, _ width: Int) -> String {
    String(repeating: " ", count: max(0, width - s.count)) + s
}

func formatCount(_ n: Int) -> String {
    var s = String(n), out = ""
    while s.count > 3 {
        out = "," + s.suffix(3) + out
        s = String(s.dropLast(3))
    }
    return s + out
}

func formatBytes(_ n: Int) -> String {
    let units = ["B", "KiB", "MiB", "GiB"]
    var v = Double(n), u = 0
    while v >= 1024 && u < units.count - 1 { v /= 1024; u += 1 }
    return u == 0 ? "\(n) B" : String(format: "%.1f", v) + " " + units[u]
}
