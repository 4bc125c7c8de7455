import ArgumentParser
import Daemon
import Foundation
import Logging
import ServiceLifecycle

/// `segd serve --config FILE`: the daemon.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Watch the configured streams and publish their label streams (the daemon).",
        discussion: """
        Reads --config (YAML; see config/segd.yaml, environment variables override file values), \
        loads the model once and segments every stream, writing <output_root>/<stream>/ and \
        serving <socket_dir>/<stream>.sock. Streams that fail are reopened with back-off. \
        SIGHUP reloads the configuration; SIGTERM/SIGINT write every frame already segmented \
        and exit 0. Control it with `segd ctl`; metrics at http://<metrics.listen>/metrics. \
        Under systemd (Type=notify) it reports READY, STATUS and WATCHDOG itself.
        """
    )

    @Option(help: ArgumentHelp("The configuration file.", valueName: "file"))
    var config: String = "/etc/segd/segd.yaml"

    @Option(help: ArgumentHelp("Log level: trace, debug, info, notice, warning, error, critical.", valueName: "level"))
    var logLevel: String = "info"

    func validate() throws {
        if Logger.Level(rawValue: logLevel) == nil { throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical") }
    }

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            // Everything logged is escaped: a control client or a stream cannot forge log lines.
            var handler = EscapingLogHandler(wrapping: StreamLogHandler.standardError(label: label))
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "segd")
        let daemon: SegmentationDaemon
        do {
            daemon = try SegmentationDaemon(configPath: config, logger: logger)
        } catch {
            throw CLIError(String(describing: error))
        }
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [ServiceGroupConfiguration.ServiceConfiguration(service: daemon)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await group.run()
    }
}
