/// The file format of one text-embedding cache entry: a fixed header, then the float32 values.
///
///     offset  size  field
///          0     8  magic "SEGDTEMB"
///          8     4  format version (1), little-endian
///         12     4  dimension E (values per vector)
///         16     4  count N (vectors; 1 for a synonym)
///         20     4  reserved, 0
///         24    16  the key digest the entry was written for (`ContentDigest.bytes`)
///         40    16  the digest of the payload bytes
///         56  4·N·E payload: N·E float32, little-endian
///
/// An entry is used only if every field checks: the magic, the version, the key it is read for,
/// the dimension asked for, the exact file size and the payload digest; and every value is finite.
public enum EmbeddingCacheEntry {
    /// The first 8 bytes of every entry.
    public static let magic: [UInt8] = Array("SEGDTEMB".utf8)
    /// The current format version. Bump it when the bytes or what they mean change (also when the
    /// text path's arithmetic changes, so that older entries are recomputed).
    public static let version: UInt32 = 1
    /// Header bytes before the payload.
    public static let headerSize = 56
    /// The payload digest's seed (a key digest never validates a payload by accident).
    static let payloadSeed: UInt64 = 0x7061_796C_6F61_64

    /// Why an entry was not used.
    public enum Problem: Error, Equatable, Sendable, CustomStringConvertible {
        case truncated(size: Int, expected: Int)
        case badMagic
        case unsupportedVersion(UInt32)
        case foreignKey
        case wrongShape(dimension: Int, count: Int)
        case checksumMismatch
        case nonFiniteValue

        public var description: String {
            switch self {
            case .truncated(let size, let expected): return "\(size) bytes where \(expected) belong (truncated or extended)"
            case .badMagic: return "not a segd text-embedding entry"
            case .unsupportedVersion(let v): return "format version \(v), this segd reads version \(EmbeddingCacheEntry.version)"
            case .foreignKey: return "written for another key (another model, tokenizer, template set or synonym)"
            case .wrongShape(let dimension, let count): return "\(count) vector(s) of \(dimension) values, not what the model produces"
            case .checksumMismatch: return "payload checksum mismatch (damaged)"
            case .nonFiniteValue: return "holds a non-finite value"
            }
        }
    }

    /// The file size of an entry of `count` vectors of `dimension` values.
    public static func size(dimension: Int, count: Int = 1) -> Int { headerSize + 4 * dimension * count }

    /// The bytes of an entry for `key` holding `values` (`count` vectors of `values.count / count`).
    public static func encode(key: ContentDigest, values: [Float], count: Int = 1) -> [UInt8] {
        precondition(count > 0 && values.count % count == 0, "\(values.count) values do not make \(count) vectors")
        var payload = [UInt8]()
        payload.reserveCapacity(4 * values.count)
        for v in values { appendLE(&payload, v.bitPattern) }
        var hasher = ContentHasher(seed: payloadSeed)
        payload.withUnsafeBytes { hasher.combine(bytes: $0) }
        var bytes = magic
        bytes.reserveCapacity(headerSize + payload.count)
        appendLE(&bytes, version)
        appendLE(&bytes, UInt32(values.count / count))
        appendLE(&bytes, UInt32(count))
        appendLE(&bytes, UInt32(0))
        bytes += key.bytes
        bytes += hasher.finalize().bytes
        return bytes + payload
    }

    /// The values of an entry read for `key`, which must hold `count` vectors of `dimension`.
    public static func decode(_ bytes: [UInt8], key: ContentDigest, dimension: Int, count: Int = 1) -> Result<[Float], Problem> {
        let expected = size(dimension: dimension, count: count)
        if bytes.count >= 8, Array(bytes[0..<8]) != magic { return .failure(.badMagic) }
        guard bytes.count >= headerSize else { return .failure(.truncated(size: bytes.count, expected: expected)) }
        let version = readLE(bytes, 8)
        guard version == Self.version else { return .failure(.unsupportedVersion(version)) }
        guard ContentDigest(bytes: bytes[24..<40]) == key else { return .failure(.foreignKey) }
        let (d, n) = (Int(readLE(bytes, 12)), Int(readLE(bytes, 16)))
        guard d == dimension, n == count else { return .failure(.wrongShape(dimension: d, count: n)) }
        guard bytes.count == expected else { return .failure(.truncated(size: bytes.count, expected: expected)) }
        var hasher = ContentHasher(seed: payloadSeed)
        bytes.withUnsafeBytes { hasher.combine(bytes: UnsafeRawBufferPointer(rebasing: $0[headerSize...])) }
        guard ContentDigest(bytes: bytes[40..<56]) == hasher.finalize() else { return .failure(.checksumMismatch) }
        var values = [Float](repeating: 0, count: dimension * count)
        for i in 0..<values.count {
            let v = Float(bitPattern: readLE(bytes, headerSize + 4 * i))
            guard v.isFinite else { return .failure(.nonFiniteValue) }
            values[i] = v
        }
        return .success(values)
    }

    private static func appendLE(_ bytes: inout [UInt8], _ v: UInt32) {
        for k in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * k))) }
    }

    private static func readLE(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[offset + $1]) << (8 * $1) }
    }
}
