import ArgumentParser
import Daemon
import Foundation
import ModelIO

/// `segd config …`: work with `segd serve` configuration files.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Work with segd serve configuration files.",
        subcommands: [ConfigCheckCommand.self]
    )
}

/// `segd config check FILE`: loads and validates a configuration as `segd serve` would.
struct ConfigCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate a configuration file and print a summary.",
        discussion: """
        Reads FILE with the same rules as segd serve, including SEGD_* environment overrides: \
        unknown keys, values of the wrong type or out of range, invalid vocabularies and a \
        missing or incomplete model bundle, and a stream whose input size needs more working \
        memory than memory_limit_mb (or this machine's memory) are reported as \
        FILE:LINE: KEY: MESSAGE, with exit status 1. config/segd.yaml documents every key.
        """
    )

    @Argument(help: "The configuration file (YAML).")
    var file: String

    @Flag(help: "Do not open the model bundle (e.g. when checking a file on another machine).")
    var skipModel = false

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        let config: DaemonConfig
        let bundle: ModelBundle?
        do {
            config = try DaemonConfig.load(path: file, environment: environment)
            bundle = skipModel ? nil : try config.checkModelBundle(configPath: file, environment: environment)
            if let bundle { try config.checkStreamMemory(bundle: bundle, configPath: file) }
        } catch let error as ConfigError {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            throw ExitCode(1)
        }
        print(ConfigSummary(file: file, config: config, bundle: bundle, environment: environment).text())
    }
}

/// The human-readable summary `segd config check` prints for a valid file.
struct ConfigSummary {
    let file: String
    let config: DaemonConfig
    let bundle: ModelBundle?
    let environment: [String: String]

    func text() -> String {
        var lines = ["\(file): valid"]
        func row(_ label: String, _ value: String) { lines.append((label + ":").padding(toLength: 16, withPad: " ", startingAt: 0) + value) }
        if let bundle {
            row("model", "\(config.model) (\(bundle.config.name), \(bundle.check().expected.count) tensors, complete)")
        } else {
            row("model", "\(config.model) (not checked)")
        }
        row("threads", config.threads.map(String.init) ?? "every core")
        row("output root", config.outputRoot)
        row("socket folder", config.socketDirectory)
        row("control socket", config.controlSocket)
        row("metrics", config.metricsListen.map { "http://\($0)/metrics" } ?? "off")
        row("shutdown", "\(seconds(config.shutdownTimeout)) to drain on SIGTERM")
        let reconnect = config.reconnect
        row("reconnect", "after \(seconds(reconnect.initialDelay)), doubling up to \(seconds(reconnect.maxDelay)); stalled after \(seconds(reconnect.stallTimeout))")
        let overrides = config.environmentVariables.filter { !(environment[$0] ?? "").trimmingCharacters(in: .whitespaces).isEmpty }
        if !overrides.isEmpty { row("environment", overrides.joined(separator: ", ")) }
        lines.append("\(config.streams.count) stream\(config.streams.count == 1 ? "" : "s"):")
        let width = config.streams.map(\.name.count).max() ?? 0
        for stream in config.streams {
            let name = stream.name.padding(toLength: width, withPad: " ", startingAt: 0)
            lines.append("  \(name)  \(stream.redactedURL)")
            lines.append("  \(String(repeating: " ", count: width))  \(details(stream))")
        }
        return lines.joined(separator: "\n")
    }

    private func details(_ stream: StreamConfig) -> String {
        var parts = [stream.task.rawValue, stream.fps.map { "fps \(number($0))" } ?? "fps unlimited"]
        if let size = stream.inputSize { parts.append("input \(size)" + (stream.inputMaxSize.map { "..\($0)" } ?? "")) }
        if let bundle {
            let bytes = stream.estimatedWorkingMemory(bundle.config)
            parts.append(String(format: "about %.0f MiB working memory", Double(bytes) / Double(1 << 20)))
        }
        let outputs = [("disk", stream.outputs.disk), ("socket", stream.outputs.socket), ("overlay", stream.outputs.overlay),
                       ("semantic", stream.outputs.semantic)].filter(\.1).map(\.0)
        parts.append("outputs " + outputs.joined(separator: ", "))
        parts.append("vocabulary \(stream.vocabulary)")
        if stream.paused { parts.append("paused") }
        return parts.joined(separator: "; ")
    }

    private func seconds(_ value: Double) -> String { "\(number(value)) s" }

    private func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}
