import ArgumentParser
import Foundation
import Tensor

/// The `segd` command line.
struct Segd: AsyncParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "segd",
            abstract: "Open-vocabulary video segmentation daemon (FC-CLIP on the CPU).",
            version: VersionInfo.description,
            subcommands: [ModelCommand.self, SegmentCommand.self, TailCommand.self, ServeCommand.self, CtlCommand.self,
                          ConfigCommand.self, VocabCommand.self, TokenizeCommand.self, BenchCommand.self, EvalCommand.self]
        )
    }
}

@main
enum Entry {
    static func main() async {
        BLASBootstrap.selectKernels()
        await Segd.main()
    }
}

/// Options shared by every command that computes.
struct ComputeOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Threads for OpenBLAS and segd's own kernels (default: every available core).",
        valueName: "n"))
    var threads: Int?

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    /// Applies the thread setting to this process.
    func apply() {
        ComputeThreads.configure(threads: threads ?? ComputeThreads.available)
    }
}
