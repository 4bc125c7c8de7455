import Tensor

/// Weight lookup scoped by key prefix, with the shape checked at load time, so model code
/// reads like the module tree: `weights.scoped("stages.0.blocks.0").tensor("norm.weight", [192])`.
/// Every failure names the file, the full key and the expected vs found shape.
public struct Weights: Sendable {
    public let file: SafeTensorsFile
    /// The key prefix of this scope, without a trailing dot ("" at the root).
    public let prefix: String

    public init(file: SafeTensorsFile, prefix: String = "") {
        self.file = file
        self.prefix = prefix
    }

    /// A scope one level down: `scoped("a").scoped("b")` looks keys up under "a.b.".
    public func scoped(_ component: String) -> Weights {
        Weights(file: file, prefix: key(component))
    }

    /// The full key of `name` in this scope.
    public func key(_ name: String) -> String { prefix.isEmpty ? name : "\(prefix).\(name)" }

    /// The float32 tensor `name`, which must have exactly `shape`.
    public func tensor(_ name: String, _ shape: [Int]) throws -> Tensor {
        try file.tensor(key(name), shape: shape)
    }

    /// Whether `name` exists in this scope.
    public func contains(_ name: String) -> Bool { file.entries[key(name)] != nil }
}
