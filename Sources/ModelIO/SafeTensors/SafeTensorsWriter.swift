import Foundation
import Tensor

/// Builds a safetensors file in memory and writes it atomically (temporary file + rename),
/// so a crash never leaves a half-written file under the final name. Used for tensor dumps
/// and by tests to make bundles.
public struct SafeTensorsWriter {
    private struct Item {
        let dtype: DType
        let shape: [Int]
        let bytes: [UInt8]
    }
    private var items: [String: Item] = [:]
    public var metadata: [String: String]

    public init(metadata: [String: String] = [:]) {
        self.metadata = metadata
    }

    /// Adds raw little-endian bytes of `dtype` with `shape`.
    public mutating func add(_ name: String, dtype: DType, shape: [Int], bytes: [UInt8]) throws {
        guard name != "__metadata__", !name.isEmpty else {
            throw ModelIOError.writeFailed(path: name, reason: "'\(name)' is not a valid tensor name")
        }
        guard items[name] == nil else {
            throw ModelIOError.writeFailed(path: name, reason: "tensor '\(name)' added twice")
        }
        guard shape.allSatisfy({ $0 >= 0 }), shape.reduce(1, *) * dtype.size == bytes.count else {
            throw ModelIOError.writeFailed(path: name, reason: "tensor '\(name)': \(bytes.count) bytes do not fit shape \(formatShape(shape)) of \(dtype.rawValue)")
        }
        items[name] = Item(dtype: dtype, shape: shape, bytes: bytes)
    }

    /// Adds a float32 tensor.
    public mutating func add(_ name: String, _ tensor: Tensor) throws {
        let bytes = tensor.withUnsafeBufferPointer { buf in
            buf.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) }
        }
        try add(name, dtype: .f32, shape: tensor.shape, bytes: bytes)
    }

    /// Adds an int64 tensor.
    public mutating func add(_ name: String, int64s values: [Int64], shape: [Int]) throws {
        try add(name, dtype: .i64, shape: shape, bytes: values.flatMap { withUnsafeBytes(of: $0.littleEndian, Array.init) })
    }

    /// The complete file: header (names sorted, padded with spaces to a multiple of 8 so the
    /// data section is 8-byte aligned) followed by the data in name order.
    public func serialized() throws -> [UInt8] {
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var offset = 0
        let names = items.keys.sorted()
        for name in names {
            let item = items[name]!
            header[name] = ["dtype": item.dtype.rawValue, "shape": item.shape, "data_offsets": [offset, offset + item.bytes.count]] as [String: Any]
            offset += item.bytes.count
        }
        var json = [UInt8](try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys]))
        while (8 + json.count) % 8 != 0 { json.append(0x20) }
        var out = [UInt8]()
        out.reserveCapacity(8 + json.count + offset)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: json)
        for name in names { out.append(contentsOf: items[name]!.bytes) }
        return out
    }

    /// Writes the file to `path` atomically.
    public func write(to path: String) throws {
        let data = Data(try serialized())
        do {
            try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw ModelIOError.writeFailed(path: path, reason: error.localizedDescription)
        }
    }
}
