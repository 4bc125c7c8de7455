import ArgumentParser
import Foundation
import LabelStream

/// `segd tail SOCKET`: prints the label stream a running segd serves on `--socket`.
struct TailCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tail",
        abstract: "Print the label stream that a running segd serves on a Unix socket.",
        discussion: """
        Connects to SOCKET (segd's --socket path) and prints each record as it arrives: its JSON \
        line, or with --summary one short line (frame, pts, segments, labels, and how many \
        records were dropped just before it when this reader was too slow). Starts at the next \
        record segd publishes. Exits 0 when segd closes the stream, 1 when it cannot connect.
        """
    )

    @Argument(help: "The socket path segd serves (its --socket option).")
    var socket: String

    @Option(help: "Stop after this many records.")
    var count: Int?

    @Flag(help: "Print one short human-readable line per record instead of its JSON.")
    var summary = false

    func validate() throws {
        if let count, count < 1 { throw ValidationError("--count must be at least 1") }
    }

    func run() throws {
        let client: LabelSocketClient
        do {
            client = try LabelSocketClient(path: socket)
        } catch {
            throw CLIError(String(describing: error))
        }
        var received = 0
        do {
            while count.map({ received < $0 }) ?? true {
                let line: String
                if summary {
                    guard let record = try client.nextRecord() else { break }
                    line = record.summaryLine()
                } else {
                    guard let next = try client.nextLine() else { break }
                    line = next
                }
                // One unbuffered write per line: a reader downstream sees each record at once.
                try FileHandle.standardOutput.write(contentsOf: Data((line + "\n").utf8))
                received += 1
            }
        } catch {
            throw CLIError(String(describing: error))
        }
    }
}
