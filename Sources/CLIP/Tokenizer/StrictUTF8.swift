/// UTF-8 decoding that fails instead of repairing, as Python's `bytes.decode("utf-8")` does,
/// optionally extended to ftfy's "utf-8-variants" codec.
enum StrictUTF8 {
    /// The scalars encoded by `bytes`, or nil if they are not well-formed UTF-8 (overlong
    /// forms, encoded surrogates, values above U+10FFFF, stray or missing continuation bytes).
    ///
    /// With `variants`, two non-standard forms are also accepted, as ftfy's "utf-8-variants"
    /// codec accepts them: Java's `C0 80` for U+0000, and CESU-8, where a character above
    /// U+FFFF is written as the two 3-byte encodings of its UTF-16 surrogate pair
    /// (`ED A0-AF 80-BF ED B0-BF 80-BF`). A lone encoded surrogate still fails.
    static func decode(_ bytes: [UInt8], variants: Bool = false) -> [Unicode.Scalar]? {
        var scalars: [Unicode.Scalar] = []
        scalars.reserveCapacity(bytes.count)
        var i = 0
        let n = bytes.count
        @inline(__always) func continuation(_ k: Int) -> UInt32? {
            k < n && bytes[k] & 0xC0 == 0x80 ? UInt32(bytes[k] & 0x3F) : nil
        }
        // One iteration per character; the lead byte fixes the length and the allowed range
        // of the second byte (this is what excludes overlong forms and surrogates).
        while i < n {
            let lead = bytes[i]
            if lead < 0x80 {
                scalars.append(Unicode.Scalar(lead))
                i += 1
                continue
            }
            if variants {
                if lead == 0xC0, i + 1 < n, bytes[i + 1] == 0x80 {
                    scalars.append("\0")
                    i += 2
                    continue
                }
                if lead == 0xED, i + 5 < n, (0xA0...0xAF).contains(bytes[i + 1]), bytes[i + 2] & 0xC0 == 0x80,
                   bytes[i + 3] == 0xED, (0xB0...0xBF).contains(bytes[i + 4]), bytes[i + 5] & 0xC0 == 0x80 {
                    let high = UInt32(bytes[i + 1] & 0x0F) << 16 | UInt32(bytes[i + 2] & 0x3F) << 10
                    let low = UInt32(bytes[i + 4] & 0x0F) << 6 | UInt32(bytes[i + 5] & 0x3F)
                    scalars.append(Unicode.Scalar(0x10000 + (high | low))!)
                    i += 6
                    continue
                }
            }
            let length: Int
            let secondRange: ClosedRange<UInt8>
            switch lead {
            case 0xC2...0xDF: length = 2; secondRange = 0x80...0xBF
            case 0xE0: length = 3; secondRange = 0xA0...0xBF
            case 0xE1...0xEC, 0xEE...0xEF: length = 3; secondRange = 0x80...0xBF
            case 0xED: length = 3; secondRange = 0x80...0x9F
            case 0xF0: length = 4; secondRange = 0x90...0xBF
            case 0xF1...0xF3: length = 4; secondRange = 0x80...0xBF
            case 0xF4: length = 4; secondRange = 0x80...0x8F
            default: return nil
            }
            guard i + 1 < n, secondRange.contains(bytes[i + 1]) else { return nil }
            var value = UInt32(lead) & (length == 2 ? 0x1F : length == 3 ? 0x0F : 0x07)
            for k in 1..<length {
                guard let bits = continuation(i + k) else { return nil }
                value = value << 6 | bits
            }
            scalars.append(Unicode.Scalar(value)!)
            i += length
        }
        return scalars
    }

    /// The UTF-8 encoding of `scalars`.
    static func encode<S: Sequence>(_ scalars: S) -> [UInt8] where S.Element == Unicode.Scalar {
        var bytes: [UInt8] = []
        for scalar in scalars { append(scalar, to: &bytes) }
        return bytes
    }

    /// Appends the UTF-8 encoding of `scalar`.
    @inline(__always)
    static func append(_ scalar: Unicode.Scalar, to bytes: inout [UInt8]) {
        let v = scalar.value
        switch v {
        case 0..<0x80:
            bytes.append(UInt8(v))
        case 0x80..<0x800:
            bytes.append(UInt8(0xC0 | v >> 6))
            bytes.append(UInt8(0x80 | v & 0x3F))
        case 0x800..<0x10000:
            bytes.append(UInt8(0xE0 | v >> 12))
            bytes.append(UInt8(0x80 | v >> 6 & 0x3F))
            bytes.append(UInt8(0x80 | v & 0x3F))
        default:
            bytes.append(UInt8(0xF0 | v >> 18))
            bytes.append(UInt8(0x80 | v >> 12 & 0x3F))
            bytes.append(UInt8(0x80 | v >> 6 & 0x3F))
            bytes.append(UInt8(0x80 | v & 0x3F))
        }
    }
}
