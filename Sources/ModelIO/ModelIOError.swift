import Foundation

/// Everything that can be wrong with a weight file or a model bundle. Each message names the
/// file, the tensor or key, what was expected and what was found, and what to do about it.
public enum ModelIOError: Error, CustomStringConvertible, Equatable {
    case fileNotFound(path: String, what: String)
    case unreadable(path: String, reason: String)
    case truncated(path: String, reason: String)
    case invalidHeader(path: String, reason: String)
    case unknownDType(path: String, tensor: String, dtype: String)
    case missingTensor(path: String, tensor: String, expectedShape: [Int])
    case shapeMismatch(path: String, tensor: String, expected: [Int], found: [Int])
    case wrongDType(path: String, tensor: String, dtype: String, wanted: String)
    case invalidConfig(path: String, key: String, reason: String)
    case writeFailed(path: String, reason: String)
    /// The path is a folder, a FIFO, a device or a socket; `kind` says which ("a FIFO (named
    /// pipe)"), `what` what the path should name ("weights file").
    case notRegularFile(path: String, kind: String, what: String)
    /// The file is larger than `limit` bytes, the most segd reads as a `what`.
    case tooLarge(path: String, what: String, limit: Int)

    /// The file the error is about.
    public var path: String {
        switch self {
        case let .fileNotFound(path, _), let .unreadable(path, _), let .truncated(path, _), let .invalidHeader(path, _),
             let .unknownDType(path, _, _), let .missingTensor(path, _, _), let .shapeMismatch(path, _, _, _),
             let .wrongDType(path, _, _, _), let .invalidConfig(path, _, _), let .writeFailed(path, _),
             let .notRegularFile(path, _, _), let .tooLarge(path, _, _):
            return path
        }
    }

    /// The message without the leading path: `description` is `"\(path): \(reason)"`.
    public var reason: String {
        switch self {
        case let .fileNotFound(_, what):
            return "\(what) not found"
        case let .unreadable(_, reason):
            return "cannot read: \(reason)"
        case let .truncated(_, reason):
            return "file is truncated (\(reason)); copy or convert it again"
        case let .invalidHeader(_, reason):
            return "not a valid safetensors file: \(reason)"
        case let .unknownDType(_, tensor, dtype):
            return "tensor '\(tensor)' has unsupported dtype '\(dtype)' (supported: \(DType.allCases.map(\.rawValue).joined(separator: ", ")))"
        case let .missingTensor(_, tensor, shape):
            return "missing tensor '\(tensor)' (expected shape \(formatShape(shape))); the file does not match this model's configuration"
        case let .shapeMismatch(_, tensor, expected, found):
            return "tensor '\(tensor)' has shape \(formatShape(found)), expected \(formatShape(expected)); the weights and model.json disagree"
        case let .wrongDType(_, tensor, dtype, wanted):
            return "tensor '\(tensor)' is \(dtype), expected \(wanted)"
        case let .invalidConfig(_, key, reason):
            return "\(key.isEmpty ? "" : "\(key): ")\(reason)"
        case let .writeFailed(_, reason):
            return "cannot write: \(reason)"
        case let .notRegularFile(_, kind, what):
            return "is \(kind), not a regular file; give the path of the \(what)"
        case let .tooLarge(_, what, limit):
            return "larger than \(formatByteCount(limit)), the most segd reads as a \(what); is this the right file?"
        }
    }

    public var description: String { "\(path): \(reason)" }
}

/// A byte count for messages: `64 MiB` when it is a whole number of MiB, else `1,000 bytes`.
func formatByteCount(_ n: Int) -> String {
    if n >= 1 << 20, n % (1 << 20) == 0 { return "\(n >> 20) MiB" }
    if n >= 1 << 10, n % (1 << 10) == 0 { return "\(n >> 10) KiB" }
    return "\(n) bytes"
}

/// `[192, 3, 4, 4]` as `192x3x4x4`, a scalar as `scalar`.
public func formatShape(_ shape: [Int]) -> String {
    shape.isEmpty ? "scalar" : shape.map(String.init).joined(separator: "x")
}
