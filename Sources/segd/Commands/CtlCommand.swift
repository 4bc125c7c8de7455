import ArgumentParser
import Daemon
import Foundation

/// `segd ctl …`: talks to a running `segd serve` over its control socket.
struct CtlCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ctl",
        abstract: "Control a running segd serve through its control socket.",
        discussion: """
        Sends one request to the control socket (control_socket in the config, by default \
        \(ControlClient.defaultPath)) and prints the answer. Exits 1 with segd's message when segd \
        refuses the request (an unknown stream, an invalid vocabulary) or cannot be reached.
        """,
        subcommands: [List.self, Vocab.self, Pause.self, Resume.self, Reload.self]
    )

    /// Where the socket is; accepted before or after the subcommand's name.
    @OptionGroup var connection: Connection

    /// Options every `ctl` subcommand takes.
    struct Connection: ParsableArguments {
        @Option(help: ArgumentHelp("The control socket (control_socket in segd's config).", valueName: "path"))
        var socket: String = ControlClient.defaultPath

        @Option(help: ArgumentHelp("Seconds to wait for segd's answer.", valueName: "seconds"))
        var timeout: Double = 30

        func validate() throws {
            guard timeout > 0, timeout.isFinite else { throw ValidationError("--timeout must be positive") }
        }

        /// Sends `request`; returns the response when it is `ok`, throws its error otherwise.
        func send(_ request: ControlRequest) throws -> ControlResponse {
            let response: ControlResponse
            do {
                let client = try ControlClient(path: socket, timeout: timeout)
                defer { client.close() }
                response = try client.send(request)
            } catch {
                throw CLIError(String(describing: error))
            }
            guard response.ok else { throw CLIError(response.error ?? "segd refused the request") }
            return response
        }
    }

    /// `segd ctl list [--json]`.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the streams with their state, counters, vocabulary and last error.")

        @ParentCommand var ctl: CtlCommand

        @Flag(help: "Print segd's JSON answer (an array of stream statuses) instead of a table.")
        var json = false

        func run() throws {
            let streams = try ctl.connection.send(.list).streams ?? []
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(streams), as: UTF8.self))
            } else {
                print(StreamStatusTable.render(streams), terminator: "")
            }
        }
    }

    /// `segd ctl vocab STREAM VOCAB`.
    struct Vocab: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replace a stream's vocabulary.",
            discussion: """
            VOCAB is what the config's vocabulary field takes: a built-in vocabulary name, inline \
            classes ("thing: person; forklift") or @FILE. Prints the new vocab_version, which the \
            stream's records carry from the next segmented frame on.
            """)

        @ParentCommand var ctl: CtlCommand

        @Argument(help: "The stream's name.")
        var stream: String

        @Argument(help: "The new vocabulary.")
        var vocabulary: String

        func run() throws {
            let response = try ctl.connection.send(.vocab(stream: stream, vocabulary: vocabulary))
            print("\(stream): vocab_version \(response.vocabVersion.map(String.init) ?? "?")")
        }
    }

    /// `segd ctl pause STREAM`.
    struct Pause: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Stop segmenting a stream (its source stays open; frames count as skipped).")

        @ParentCommand var ctl: CtlCommand

        @Argument(help: "The stream's name.")
        var stream: String

        func run() throws {
            print(try ctl.connection.send(.pause(stream: stream)).message ?? "paused \(stream)")
        }
    }

    /// `segd ctl resume STREAM`.
    struct Resume: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Resume segmenting a paused stream.")

        @ParentCommand var ctl: CtlCommand

        @Argument(help: "The stream's name.")
        var stream: String

        func run() throws {
            print(try ctl.connection.send(.resume(stream: stream)).message ?? "resumed \(stream)")
        }
    }

    /// `segd ctl reload`.
    struct Reload: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-read the configuration file (as SIGHUP does) and print what changed.")

        @ParentCommand var ctl: CtlCommand

        func run() throws {
            print(try ctl.connection.send(.reload).message ?? "reloaded")
        }
    }
}
