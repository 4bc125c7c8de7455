import Tensor

/// Anything that can hand out named float32 tensors: a weight file, or generated weights.
public protocol TensorSource: Sendable {
    /// The tensor `key`, which must have exactly `shape` (errors name the key and both shapes).
    func tensor(_ key: String, shape: [Int]) throws -> Tensor
    /// Whether `key` exists.
    func contains(_ key: String) -> Bool
}

extension SafeTensorsFile: TensorSource {
    public func tensor(_ key: String, shape: [Int]) throws -> Tensor {
        try tensor(key, shape: Optional(shape))
    }
    public func contains(_ key: String) -> Bool { entries[key] != nil }
}

/// Weight lookup scoped by key prefix, with the shape checked at load time, so model code
/// reads like the module tree: `weights.scoped("stages.0.blocks.0").tensor("norm.weight", [192])`.
/// Every failure names the file, the full key and the expected vs found shape.
public struct Weights: Sendable {
    public let source: any TensorSource
    /// The key prefix of this scope, without a trailing dot ("" at the root).
    public let prefix: String

    public init(_ source: any TensorSource, prefix: String = "") {
        self.source = source
        self.prefix = prefix
    }

    /// A scope one level down: `scoped("a").scoped("b")` looks keys up under "a.b.".
    public func scoped(_ component: String) -> Weights {
        Weights(source, prefix: key(component))
    }

    /// The full key of `name` in this scope.
    public func key(_ name: String) -> String { prefix.isEmpty ? name : "\(prefix).\(name)" }

    /// The float32 tensor `name`, which must have exactly `shape`.
    public func tensor(_ name: String, _ shape: [Int]) throws -> Tensor {
        try source.tensor(key(name), shape: shape)
    }

    /// Whether `name` exists in this scope.
    public func contains(_ name: String) -> Bool { source.contains(key(name)) }
}

/// Seeded random weights of any requested shape, for building a model at real size without
/// a checkpoint (benchmarks). Values are chosen so activations stay finite through deep
/// stacks: 1-D `…weight` tensors (norm scales) are 1, 1-D `…bias` 0, ConvNeXt layer scales
/// (`gamma`) 1e-6 as at initialisation, everything else uniform in ±1/√fan-in. The same
/// seed and key always give the same tensor.
public struct RandomTensorSource: TensorSource {
    public let seed: UInt64

    public init(seed: UInt64) { self.seed = seed }

    public func tensor(_ key: String, shape: [Int]) throws -> Tensor {
        let name = key.split(separator: ".").last.map(String.init) ?? key
        if shape.count == 1 && name == "gamma" { return Tensor(shape: shape, repeating: 1e-6) }
        if shape.count == 1 && name == "weight" { return Tensor(shape: shape, repeating: 1) }
        if shape.count <= 1 && name == "bias" { return Tensor(shape: shape, repeating: 0) }
        // FNV-1a of the key mixed with the seed: a stable per-tensor stream.
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in key.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        var rng = SeededRandom(seed: h ^ seed)
        let fanIn = shape.count >= 2 ? shape.dropFirst().reduce(1, *) : max(shape.first ?? 1, 1)
        return rng.uniform(shape, scale: 1 / Float(fanIn).squareRoot())
    }

    public func contains(_ key: String) -> Bool { true }
}
