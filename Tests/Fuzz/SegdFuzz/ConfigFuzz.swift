import Daemon
import Foundation

/// The daemon's YAML configuration: `DaemonConfig.load` on the input as a file, with no
/// environment overrides (what `segd config check --skip-model` runs).
enum ConfigFuzz {
    static let target = FuzzTarget(name: "config", summary: "DaemonConfig.load (YAML, strict keys, ranges)") { input in
        let path = Scratch.store(input, as: "segd.yaml")
        _ = try? DaemonConfig.load(path: path, environment: [:])
    }
}
