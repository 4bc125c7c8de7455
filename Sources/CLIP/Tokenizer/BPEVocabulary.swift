import Foundation

/// The CLIP byte-level BPE vocabulary built from open_clip's merges file.
///
/// Ids, as open_clip assigns them: 0–255 the byte symbols in `ByteToUnicode` order, 256–511
/// the same symbols with `</w>` (end of word) appended, 512 + r the symbol made by merge rank
/// `r` (lines 1…48894 of the file; line 0 is a version header), then `<start_of_text>` (49406)
/// and `<end_of_text>` (49407).
struct BPEVocabulary: Sendable {
    /// Merge lines used: `49152 - 256 - 2` (open_clip's `merges[1:49152-256-2+1]`).
    static let mergeCount = 48_894
    static let firstMergeID: Int32 = 512
    static let startOfText: Int32 = 49_406
    static let endOfText: Int32 = 49_407
    static let size = 49_408

    /// Pair of adjacent symbol ids (`left << 32 | right`) → merge rank.
    let ranks: [UInt64: Int32]
    /// id → the bytes the token stands for; word-final tokens end with the bytes of `</w>`,
    /// as in open_clip's `decode`. Covers every id below `size`.
    let tokenBytes: [[UInt8]]

    static func pairKey(_ left: Int32, _ right: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))
    }

    /// Parses the decompressed merges file. `path` names it in errors.
    ///
    /// Besides the format, this checks what the fast encoder relies on: every merge joins two
    /// symbols that already exist (byte symbols or earlier merges) and no two merges make the
    /// same string. Then a pair containing a symbol made by merge `r` always ranks after `r`.
    init(mergesFile data: Data, path: String) throws {
        func invalid(_ reason: String) -> CLIPTokenizerError { .invalidVocabulary(path: path, reason: reason) }
        let file = [UInt8](data)
        guard StrictUTF8.decode(file) != nil else {
            throw invalid("the decompressed file is not UTF-8 text")
        }
        // Byte ranges of the header line and the merge lines (split at "\n" like Python).
        var lines: [Range<Int>] = []
        lines.reserveCapacity(Self.mergeCount + 1)
        var lineStart = 0
        while lines.count < Self.mergeCount + 1, lineStart <= file.count {
            let lineEnd = file[lineStart...].firstIndex(of: 0x0A) ?? file.count
            lines.append(lineStart..<lineEnd)
            lineStart = lineEnd + 1
        }
        guard lines.count == Self.mergeCount + 1 else {
            throw invalid("it has \(max(0, lines.count - 1)) merge lines after the header, \(Self.mergeCount) are needed")
        }

        var idOfSymbol: [String: Int32] = [:]
        idOfSymbol.reserveCapacity(Self.size)
        var bytes: [[UInt8]] = []
        bytes.reserveCapacity(Self.size)
        let endOfWord = Array("</w>".utf8)
        for (id, byte) in ByteToUnicode.vocabularyOrder.enumerated() {
            idOfSymbol[String(ByteToUnicode.character[Int(byte)])] = Int32(id)
            bytes.append([byte])
        }
        for (id, byte) in ByteToUnicode.vocabularyOrder.enumerated() {
            idOfSymbol[String(ByteToUnicode.character[Int(byte)]) + "</w>"] = Int32(256 + id)
            bytes.append([byte] + endOfWord)
        }

        var ranks: [UInt64: Int32] = [:]
        ranks.reserveCapacity(Self.mergeCount)
        for rank in 0..<Self.mergeCount {
            let line = file[lines[rank + 1]]
            // Python's str.split(): fields separated by runs of whitespace (ASCII here).
            let parts = line.split(whereSeparator: { $0 == 0x20 || (0x09...0x0D).contains($0) })
                .map { String(decoding: $0, as: UTF8.self) }
            guard parts.count == 2 else {
                let shown = String(decoding: line.prefix(60), as: UTF8.self)
                throw invalid("line \(rank + 2) should hold two symbols separated by a space, found \"\(shown)\"")
            }
            guard let left = idOfSymbol[parts[0]], let right = idOfSymbol[parts[1]] else {
                throw invalid("line \(rank + 2) merges \"\(parts[0])\" and \"\(parts[1])\", but a symbol is neither a byte symbol nor made by an earlier merge")
            }
            let id = Self.firstMergeID + Int32(rank)
            let merged = parts[0] + parts[1]
            guard idOfSymbol.updateValue(id, forKey: merged) == nil else {
                throw invalid("line \(rank + 2) makes \"\(merged)\" a second time")
            }
            ranks[Self.pairKey(left, right)] = Int32(rank)
            bytes.append(bytes[Int(left)] + bytes[Int(right)])
        }
        bytes.append(Array("<start_of_text>".utf8))
        bytes.append(Array("<end_of_text>".utf8))
        self.ranks = ranks
        self.tokenBytes = bytes
    }
}
