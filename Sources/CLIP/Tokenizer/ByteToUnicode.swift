/// GPT-2's reversible table between the 256 byte values and 256 printable characters.
///
/// Byte-level BPE works on strings of these characters: the printable bytes `!`…`~`, `¡`…`¬`
/// and `®`…`ÿ` stand for themselves, and the 68 remaining bytes (controls, space, DEL, the C1
/// range, NBSP and the soft hyphen) are given the characters U+0100, U+0101, … in increasing
/// byte order. The order of the table is also the order of the first 256 vocabulary ids.
enum ByteToUnicode {
    /// The bytes in vocabulary order: id `i` (and `i + 256` for the word-final `</w>` form)
    /// is the symbol of byte `vocabularyOrder[i]`.
    static let vocabularyOrder: [UInt8] = {
        var order: [UInt8] = []
        var isPrintable = [Bool](repeating: false, count: 256)
        for range in [0x21...0x7E, 0xA1...0xAC, 0xAE...0xFF] as [ClosedRange<Int>] {
            for byte in range {
                order.append(UInt8(byte))
                isPrintable[byte] = true
            }
        }
        for byte in 0..<256 where !isPrintable[byte] { order.append(UInt8(byte)) }
        return order
    }()

    /// `character[b]`: the character that stands for byte `b`.
    static let character: [Unicode.Scalar] = {
        var table = [Unicode.Scalar](repeating: "\0", count: 256)
        var nextSubstitute: UInt32 = 0x100
        for byte in 0..<256 {
            let printable = (0x21...0x7E).contains(byte) || (0xA1...0xAC).contains(byte) || (0xAE...0xFF).contains(byte)
            if printable {
                table[byte] = Unicode.Scalar(UInt8(byte))
            } else {
                table[byte] = Unicode.Scalar(nextSubstitute)!
                nextSubstitute += 1
            }
        }
        return table
    }()

    /// The inverse of `character`.
    static let byte: [Unicode.Scalar: UInt8] = {
        var inverse: [Unicode.Scalar: UInt8] = [:]
        for (byte, scalar) in character.enumerated() { inverse[scalar] = UInt8(byte) }
        return inverse
    }()

    /// `baseID[b]`: the vocabulary id of byte `b`'s symbol (add 256 for its `</w>` form).
    static let baseID: [Int32] = {
        var ids = [Int32](repeating: 0, count: 256)
        for (id, byte) in vocabularyOrder.enumerated() { ids[Int(byte)] = Int32(id) }
        return ids
    }()
}
