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

    public var description: String {
        switch self {
        case let .fileNotFound(path, what):
            return "\(path): \(what) not found"
        case let .unreadable(path, reason):
            return "\(path): cannot read: \(reason)"
        case let .truncated(path, reason):
            return "\(path): file is truncated (\(reason)); copy or convert it again"
        case let .invalidHeader(path, reason):
            return "\(path): not a valid safetensors file: \(reason)"
        case let .unknownDType(path, tensor, dtype):
            return "\(path): tensor '\(tensor)' has unsupported dtype '\(dtype)' (supported: \(DType.allCases.map(\.rawValue).joined(separator: ", ")))"
        case let .missingTensor(path, tensor, shape):
            return "\(path): missing tensor '\(tensor)' (expected shape \(formatShape(shape))); the file does not match this model's configuration"
        case let .shapeMismatch(path, tensor, expected, found):
            return "\(path): tensor '\(tensor)' has shape \(formatShape(found)), expected \(formatShape(expected)); the weights and model.json disagree"
        case let .wrongDType(path, tensor, dtype, wanted):
            return "\(path): tensor '\(tensor)' is \(dtype), expected \(wanted)"
        case let .invalidConfig(path, key, reason):
            return "\(path): \(key.isEmpty ? "" : "\(key): ")\(reason)"
        case let .writeFailed(path, reason):
            return "\(path): cannot write: \(reason)"
        }
    }
}

/// `[192, 3, 4, 4]` as `192x3x4x4`, a scalar as `scalar`.
public func formatShape(_ shape: [Int]) -> String {
    shape.isEmpty ? "scalar" : shape.map(String.init).joined(separator: "x")
}
