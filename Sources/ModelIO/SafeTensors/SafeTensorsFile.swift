import Foundation
import Tensor

/// A safetensors file, memory-mapped and validated when opened.
///
/// Format: an 8-byte little-endian header length N, N bytes of JSON mapping each tensor
/// name to `{"dtype", "shape", "data_offsets": [begin, end]}` (offsets relative to the data
/// section that follows the header) plus an optional `"__metadata__"` string map.
/// Opening checks that the header fits in the file, every dtype is known, every tensor's
/// byte range lies inside the file and matches its shape, and no two ranges overlap; so a
/// truncated download or a lying header is reported before any weight is read.
public final class SafeTensorsFile: @unchecked Sendable {
    /// One tensor's header entry.
    public struct Entry: Sendable, Equatable {
        public let name: String
        public let dtype: DType
        public let shape: [Int]
        /// Byte range inside the data section.
        public let byteRange: Range<Int>
        public var elementCount: Int { shape.reduce(1, *) }
        public var byteCount: Int { byteRange.count }
    }

    public let path: String
    public let metadata: [String: String]
    /// Entries by tensor name.
    public let entries: [String: Entry]
    private let file: MappedFile
    private let dataStart: Int

    /// Largest header accepted (the real FC-CLIP checkpoint's header is ~100 KB).
    static let maxHeaderBytes = 64 << 20

    /// Opens and validates `path`, which must be a regular file (see `RegularFile`); `what`
    /// names it in errors ("weights file").
    public init(path: String, what: String = "safetensors file") throws {
        self.path = path
        file = try MappedFile(path: path, what: what)
        let bytes = file.bytes
        guard bytes.count >= 8 else {
            throw ModelIOError.truncated(path: path, reason: "\(bytes.count) bytes, shorter than the 8-byte header length")
        }
        let headerLength = Int(UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self)) & 0x7fff_ffff_ffff_ffff)
        guard headerLength <= SafeTensorsFile.maxHeaderBytes else {
            throw ModelIOError.invalidHeader(path: path, reason: "header length \(headerLength) bytes is implausible")
        }
        guard 8 + headerLength <= bytes.count else {
            throw ModelIOError.truncated(path: path, reason: "header says \(headerLength) bytes but the file has only \(bytes.count - 8) after the length")
        }
        dataStart = 8 + headerLength
        let dataSize = bytes.count - dataStart
        let headerData = Data(bytes[8..<dataStart])
        guard let json = try? JSONSerialization.jsonObject(with: headerData), let object = json as? [String: Any] else {
            throw ModelIOError.invalidHeader(path: path, reason: "header is not a JSON object")
        }
        var metadata: [String: String] = [:]
        var entries: [String: Entry] = [:]
        for (name, value) in object {
            if name == "__metadata__" {
                guard let map = value as? [String: Any] else {
                    throw ModelIOError.invalidHeader(path: path, reason: "__metadata__ is not an object")
                }
                for (k, v) in map {
                    guard let s = v as? String else {
                        throw ModelIOError.invalidHeader(path: path, reason: "__metadata__['\(k)'] is not a string")
                    }
                    metadata[k] = s
                }
                continue
            }
            entries[name] = try SafeTensorsFile.parseEntry(name: name, value: value, path: path, dataSize: dataSize)
        }
        // Overlap check over entries sorted by start offset (empty tensors occupy nothing).
        let sorted = entries.values.filter { !$0.byteRange.isEmpty }.sorted { $0.byteRange.lowerBound < $1.byteRange.lowerBound }
        for (a, b) in zip(sorted, sorted.dropFirst()) where b.byteRange.lowerBound < a.byteRange.upperBound {
            throw ModelIOError.invalidHeader(path: path, reason: "tensors '\(a.name)' \(a.byteRange) and '\(b.name)' \(b.byteRange) overlap")
        }
        self.metadata = metadata
        self.entries = entries
    }

    private static func parseEntry(name: String, value: Any, path: String, dataSize: Int) throws -> Entry {
        guard let info = value as? [String: Any] else {
            throw ModelIOError.invalidHeader(path: path, reason: "entry '\(name)' is not an object")
        }
        guard let dtypeName = info["dtype"] as? String else {
            throw ModelIOError.invalidHeader(path: path, reason: "entry '\(name)' has no dtype")
        }
        guard let dtype = DType(rawValue: dtypeName) else {
            throw ModelIOError.unknownDType(path: path, tensor: name, dtype: dtypeName)
        }
        guard let rawShape = info["shape"] as? [Any], let shape = integers(rawShape), shape.allSatisfy({ $0 >= 0 }) else {
            throw ModelIOError.invalidHeader(path: path, reason: "entry '\(name)' has no valid shape")
        }
        guard let rawOffsets = info["data_offsets"] as? [Any], let offsets = integers(rawOffsets), offsets.count == 2,
              offsets[0] >= 0, offsets[0] <= offsets[1] else {
            throw ModelIOError.invalidHeader(path: path, reason: "entry '\(name)' has no valid data_offsets")
        }
        let (elements, overflow) = shape.reduce((1, false)) { acc, d in
            let (m, o) = acc.0.multipliedReportingOverflow(by: d)
            return (m, acc.1 || o)
        }
        let (needed, overflow2) = elements.multipliedReportingOverflow(by: dtype.size)
        guard !overflow, !overflow2 else {
            throw ModelIOError.invalidHeader(path: path, reason: "tensor '\(name)' of shape \(formatShape(shape)) \(dtypeName) is impossibly large (its byte count does not fit in 64 bits)")
        }
        guard needed == offsets[1] - offsets[0] else {
            throw ModelIOError.invalidHeader(path: path, reason: "tensor '\(name)' of shape \(formatShape(shape)) \(dtypeName) needs \(needed) bytes but data_offsets \(offsets) span \(offsets[1] - offsets[0])")
        }
        guard offsets[1] <= dataSize else {
            throw ModelIOError.truncated(path: path, reason: "tensor '\(name)' ends at byte \(offsets[1]) of a data section of \(dataSize) bytes")
        }
        return Entry(name: name, dtype: dtype, shape: shape, byteRange: offsets[0]..<offsets[1])
    }

    private static func integers(_ values: [Any]) -> [Int]? {
        var out: [Int] = []
        for v in values {
            // JSON numbers arrive as NSNumber; accept only exact integers.
            guard let n = v as? NSNumber, Double(n.int64Value) == n.doubleValue else { return nil }
            out.append(Int(n.int64Value))
        }
        return out
    }

    /// Tensor names in sorted order.
    public var names: [String] { entries.keys.sorted() }

    /// The header entry of `name`, or a `missingTensor` error.
    public func entry(_ name: String) throws -> Entry {
        guard let e = entries[name] else { throw ModelIOError.missingTensor(path: path, tensor: name, expectedShape: []) }
        return e
    }

    /// The raw little-endian bytes of `name`, valid while this file is alive.
    public func rawBytes(_ name: String) throws -> UnsafeRawBufferPointer {
        let e = try entry(name)
        return UnsafeRawBufferPointer(rebasing: file.bytes[(dataStart + e.byteRange.lowerBound)..<(dataStart + e.byteRange.upperBound)])
    }

    /// The tensor `name` as float32. F32 data that is 4-byte aligned in the file is used in
    /// place (memory-mapped, read-only, copied on first write); F16, BF16 and F64 are
    /// converted. If `shape` is given, a different shape is an error naming both.
    public func tensor(_ name: String, shape expected: [Int]? = nil) throws -> Tensor {
        guard let e = entries[name] else {
            throw ModelIOError.missingTensor(path: path, tensor: name, expectedShape: expected ?? [])
        }
        if let expected, expected != e.shape {
            throw ModelIOError.shapeMismatch(path: path, tensor: name, expected: expected, found: e.shape)
        }
        let raw = try rawBytes(name)
        let n = e.elementCount
        switch e.dtype {
        case .f32:
            if let base = raw.baseAddress, Int(bitPattern: base) % MemoryLayout<Float>.alignment == 0 {
                let storage = TensorStorage(borrowing: base.assumingMemoryBound(to: Float.self), count: n, owner: file)
                return Tensor(shape: e.shape, storage: storage)
            }
            return Tensor(shape: e.shape) { out in
                for i in 0..<n { out[i] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))) }
            }
        case .f16:
            return Tensor(shape: e.shape) { out in
                for i in 0..<n { out[i] = Float(float16Bits: UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) }
            }
        case .bf16:
            return Tensor(shape: e.shape) { out in
                for i in 0..<n { out[i] = Float(bitPattern: UInt32(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) << 16) }
            }
        case .f64:
            return Tensor(shape: e.shape) { out in
                for i in 0..<n { out[i] = Float(Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self)))) }
            }
        default:
            throw ModelIOError.wrongDType(path: path, tensor: name, dtype: e.dtype.rawValue, wanted: "a floating-point type (F32, F16, BF16, F64)")
        }
    }

    /// The integer tensor `name` (any integer or bool dtype) widened to Int64.
    public func integers(_ name: String) throws -> (shape: [Int], values: [Int64]) {
        let e = try entry(name)
        let raw = try rawBytes(name)
        let n = e.elementCount
        let values: [Int64]
        switch e.dtype {
        case .i64: values = (0..<n).map { Int64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * $0, as: Int64.self)) }
        case .u64: values = (0..<n).map { Int64(truncatingIfNeeded: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * $0, as: UInt64.self))) }
        case .i32: values = (0..<n).map { Int64(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: Int32.self))) }
        case .u32: values = (0..<n).map { Int64(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) }
        case .i16: values = (0..<n).map { Int64(Int16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * $0, as: Int16.self))) }
        case .u16: values = (0..<n).map { Int64(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self))) }
        case .i8: values = (0..<n).map { Int64(raw.load(fromByteOffset: $0, as: Int8.self)) }
        case .u8, .bool: values = (0..<n).map { Int64(raw[$0]) }
        default:
            throw ModelIOError.wrongDType(path: path, tensor: name, dtype: e.dtype.rawValue, wanted: "an integer type")
        }
        return (e.shape, values)
    }
}

extension Float {
    /// Converts IEEE 754 binary16 bits to Float exactly (normals, subnormals, inf, NaN).
    init(float16Bits h: UInt16) {
        let sign = UInt32(h & 0x8000) << 16
        let exponent = Int((h >> 10) & 0x1f)
        let mantissa = UInt32(h & 0x3ff)
        switch exponent {
        case 0:
            // Zero or subnormal: mantissa · 2^-24.
            let magnitude = Float(mantissa) * 0x1p-24
            self = sign != 0 ? -magnitude : magnitude
        case 31:
            self = Float(bitPattern: sign | 0x7f80_0000 | (mantissa << 13))
        default:
            self = Float(bitPattern: sign | UInt32(exponent - 15 + 127) << 23 | (mantissa << 13))
        }
    }
}
