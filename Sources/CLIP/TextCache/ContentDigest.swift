/// A 128-bit content digest: what the text classifier cache keys its entries by and checks
/// their payloads with (`ContentHasher`).
///
/// It is a fast non-cryptographic hash: it tells apart weights, vocabularies and payloads that
/// differ by accident (another model, another tokenizer file, a flipped bit on disk), not ones
/// crafted to collide. The cache folder belongs to the user that runs segd.
public struct ContentDigest: Hashable, Sendable, CustomStringConvertible {
    public let high: UInt64
    public let low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// The 16 bytes, `low` then `high`, each little-endian (the cache entry header's order).
    public var bytes: [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: low >> (8 * $0)) } + (0..<8).map { UInt8(truncatingIfNeeded: high >> (8 * $0)) }
    }

    /// The digest of `bytes` as written by `bytes` (16 bytes), nil for another length.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 16 else { return nil }
        var low: UInt64 = 0, high: UInt64 = 0
        for (i, b) in bytes.enumerated() {
            if i < 8 { low |= UInt64(b) << (8 * i) } else { high |= UInt64(b) << (8 * (i - 8)) }
        }
        self.init(high: high, low: low)
    }

    /// 32 lower-case hex digits, `high` first.
    public var hex: String {
        func digits(_ v: UInt64) -> String {
            let s = String(v, radix: 16)
            return String(repeating: "0", count: 16 - s.count) + s
        }
        return digits(high) + digits(low)
    }

    public var description: String { hex }
}

/// Computes a `ContentDigest` over a stream of bytes, 32 bytes at a time in four independent
/// 64-bit lanes (multiply, rotate, multiply), so a large tensor hashes at several GB/s on one
/// core. Values of different kinds are framed (strings carry their length), so the sequence
/// ("ab", "c") does not digest like ("a", "bc").
public struct ContentHasher: Sendable {
    private static let m1: UInt64 = 0x9E37_79B1_85EB_CA87
    private static let m2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    private static let m3: UInt64 = 0x1656_67B1_9E37_79F9

    private var a: UInt64, b: UInt64, c: UInt64, d: UInt64
    /// Bytes not yet part of a 32-byte stripe (fewer than 32).
    private var pending: [UInt8] = []
    private var length: UInt64 = 0

    /// A hasher; different `seed`s give unrelated digests of the same bytes.
    public init(seed: UInt64 = 0) {
        a = seed &+ Self.m1 &+ Self.m2
        b = seed &+ Self.m2
        c = seed
        d = seed &- Self.m1
        pending.reserveCapacity(32)
    }

    @inline(__always) private static func round(_ lane: UInt64, _ word: UInt64) -> UInt64 {
        var x = lane &+ word &* m2
        x = (x << 31) | (x >> 33)
        return x &* m1
    }

    @inline(__always) private mutating func stripe(_ p: UnsafeRawPointer) {
        a = Self.round(a, UInt64(littleEndian: p.loadUnaligned(as: UInt64.self)))
        b = Self.round(b, UInt64(littleEndian: p.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
        c = Self.round(c, UInt64(littleEndian: p.loadUnaligned(fromByteOffset: 16, as: UInt64.self)))
        d = Self.round(d, UInt64(littleEndian: p.loadUnaligned(fromByteOffset: 24, as: UInt64.self)))
    }

    /// Adds raw bytes (unframed: two calls equal one call with both buffers joined).
    public mutating func combine(bytes: UnsafeRawBufferPointer) {
        guard var p = bytes.baseAddress, bytes.count > 0 else { return }
        var n = bytes.count
        length &+= UInt64(n)
        if !pending.isEmpty {
            let take = min(32 - pending.count, n)
            pending.append(contentsOf: UnsafeRawBufferPointer(start: p, count: take))
            p += take
            n -= take
            guard pending.count == 32 else { return }
            pending.withUnsafeBytes { stripe($0.baseAddress!) }
            pending.removeAll(keepingCapacity: true)
        }
        while n >= 32 {
            stripe(p)
            p += 32
            n -= 32
        }
        if n > 0 { pending.append(contentsOf: UnsafeRawBufferPointer(start: p, count: n)) }
    }

    /// Adds the bytes of `values` (float32, in memory order: little-endian on every platform segd runs on).
    public mutating func combine(floats values: UnsafeBufferPointer<Float>) {
        combine(bytes: UnsafeRawBufferPointer(values))
    }

    /// Adds a 64-bit value, little-endian.
    public mutating func combine(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { combine(bytes: $0) }
    }

    /// Adds an integer as 64 bits.
    public mutating func combine(_ value: Int) { combine(UInt64(bitPattern: Int64(value))) }

    /// Adds a float's bit pattern.
    public mutating func combine(_ value: Float) { combine(UInt64(value.bitPattern)) }

    /// Adds a string: its UTF-8 length, then its UTF-8 bytes.
    public mutating func combine(_ string: String) {
        var s = string
        s.withUTF8 { utf8 in
            combine(utf8.count)
            combine(bytes: UnsafeRawBufferPointer(utf8))
        }
    }

    /// Adds another digest.
    public mutating func combine(_ digest: ContentDigest) {
        combine(digest.low)
        combine(digest.high)
    }

    @inline(__always) private static func mix(_ value: UInt64) -> UInt64 {
        var x = value
        x ^= x >> 30
        x = x &* 0xBF58_476D_1CE4_E5B9
        x ^= x >> 27
        x = x &* 0x94D0_49BB_1331_11EB
        x ^= x >> 31
        return x
    }

    /// The digest of everything added so far.
    public func finalize() -> ContentDigest {
        var a = a, b = b, c = c, d = d
        // The tail, zero-padded to a stripe, in a copy of the lanes; the length tells padding apart.
        if !pending.isEmpty {
            let tail = pending + [UInt8](repeating: 0, count: 32 - pending.count)
            tail.withUnsafeBytes { t in
                let p = t.baseAddress!
                a = Self.round(a, p.loadUnaligned(as: UInt64.self) ^ 0x5A)
                b = Self.round(b, p.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
                c = Self.round(c, p.loadUnaligned(fromByteOffset: 16, as: UInt64.self))
                d = Self.round(d, p.loadUnaligned(fromByteOffset: 24, as: UInt64.self))
            }
        }
        let rot = { (x: UInt64, k: UInt64) in (x << k) | (x >> (64 - k)) }
        let low = Self.mix(rot(a, 1) &+ rot(b, 7) &+ rot(c, 12) &+ rot(d, 18) &+ length &* Self.m3)
        let high = Self.mix((a ^ Self.mix(b)) &+ rot(c ^ Self.mix(d), 23) &+ (length ^ Self.m1) &+ low)
        return ContentDigest(high: high, low: low)
    }
}
