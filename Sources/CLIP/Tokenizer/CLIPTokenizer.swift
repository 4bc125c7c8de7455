import Foundation

/// open_clip's `SimpleTokenizer` (the OpenAI CLIP byte-level BPE tokenizer, `clean='lower'`),
/// reproducing `open_clip.get_tokenizer('convnext_large_d_320')` id for id.
///
/// Text is cleaned (ftfy-style repair, HTML unescaping, whitespace collapse, lower case; see
/// `clean(_:)`), split into words, numbers and punctuation runs, and each piece is encoded by
/// byte-level BPE. `tokenize` wraps the ids in start/end-of-text markers and fits them to the
/// context length. Values are cheap to copy and safe to share between threads; copies share
/// one cache of encoded words.
public struct CLIPTokenizer: Sendable {
    /// Id of `<start_of_text>`, the first id of every row.
    public static let startOfText: Int32 = BPEVocabulary.startOfText
    /// Id of `<end_of_text>`, which closes every row; FC-CLIP pools the text feature there.
    public static let endOfText: Int32 = BPEVocabulary.endOfText
    /// Row length of CLIP's text transformer.
    public static let contextLength = 77
    /// Number of ids (the text transformer's embedding rows).
    public static let vocabularySize = BPEVocabulary.size

    private let encoder: BytePairEncoder
    private let cache = WordCache()
    /// A digest of the decompressed merges file: part of the text classifier cache's key.
    public let vocabularyDigest: ContentDigest

    /// Loads the gzip-compressed BPE merges file (open_clip's `bpe_simple_vocab_16e6.txt.gz`).
    /// Throws `CLIPTokenizerError`, naming the file, if it is missing, is not a regular file, is
    /// not a complete gzip stream, decompresses to more than `Gzip.maxDecompressedBytes`, or does
    /// not hold the 48,894 merges the tokenizer uses.
    public init(vocabularyPath: String) throws {
        let data: Data
        do {
            data = try Gzip.decompress(path: vocabularyPath, what: "BPE vocabulary (bpe_simple_vocab_16e6.txt.gz)")
        } catch let error as Gzip.Error {
            switch error {
            case .cannotOpen: throw CLIPTokenizerError.unreadable(path: vocabularyPath, reason: "the file is missing or unreadable")
            case .corrupt(_, let reason): throw CLIPTokenizerError.unreadable(path: vocabularyPath, reason: "not a valid gzip file: \(reason)")
            case .unreadable(_, let reason): throw CLIPTokenizerError.unreadable(path: vocabularyPath, reason: reason)
            case .tooLarge(_, let limit): throw CLIPTokenizerError.unreadable(path: vocabularyPath, reason: Gzip.Error.tooLargeReason(limit))
            }
        }
        encoder = BytePairEncoder(vocabulary: try BPEVocabulary(mergesFile: data, path: vocabularyPath))
        var hasher = ContentHasher(seed: 3)
        data.withUnsafeBytes { hasher.combine(bytes: $0) }
        vocabularyDigest = hasher.finalize()
    }

    /// The text as the tokenizer sees it: `ftfy.fix_text` (mojibake, HTML entities, ligatures,
    /// full-width forms, curly quotes, control characters, NFC), Python's `html.unescape`
    /// twice, surrounding whitespace stripped, inner whitespace runs collapsed to one space,
    /// then Python's `str.lower()`.
    public func clean(_ text: String) -> String {
        String(String.UnicodeScalarView(TextCleaner.clean(text)))
    }

    /// The BPE ids of `clean(text)`, without start/end markers and without truncation.
    /// A literal `<start_of_text>` or `<end_of_text>` in the text becomes that special id.
    public func encode(_ text: String) -> [Int32] {
        let cleaned = TextCleaner.clean(text)
        var ids: [Int32] = []
        var word: [UInt8] = []
        for piece in PreTokenizer.pieces(of: cleaned) {
            if let special = piece.specialID {
                ids.append(special)
                continue
            }
            word.removeAll(keepingCapacity: true)
            for scalar in cleaned[piece.range] { StrictUTF8.append(scalar, to: &word) }
            ids.append(contentsOf: cache.ids(for: word, compute: encoder.encode))
        }
        return ids
    }

    /// One row of exactly `contextLength` ids: `startOfText`, the BPE ids, `endOfText`, then
    /// zeros. A row that would be longer is cut to `contextLength` and its last id set to
    /// `endOfText`. A `contextLength` below 2 is treated as 2.
    public func tokenize(_ text: String, contextLength: Int = CLIPTokenizer.contextLength) -> [Int32] {
        let length = max(2, contextLength)
        var row = [Self.startOfText]
        row.append(contentsOf: encode(text).prefix(length - 2))
        row.append(Self.endOfText)
        row.append(contentsOf: repeatElement(0, count: length - row.count))
        return row
    }

    /// `tokenize(_:contextLength:)` of each text, in order.
    public func tokenize(_ texts: [String], contextLength: Int = CLIPTokenizer.contextLength) -> [[Int32]] {
        texts.map { tokenize($0, contextLength: contextLength) }
    }

    /// The text that `ids` stand for, for debugging: start/end markers and trailing zero
    /// padding are dropped, the tokens' bytes are joined and read as UTF-8 (invalid sequences
    /// become U+FFFD), and each end-of-word mark `</w>` becomes a space. Ids outside the
    /// vocabulary show as U+FFFD.
    public func decode(_ ids: [Int32]) -> String {
        var end = ids.count
        while end > 0, ids[end - 1] == 0 { end -= 1 }
        var bytes: [UInt8] = []
        for id in ids[..<end] where id != Self.startOfText && id != Self.endOfText {
            if id >= 0, Int(id) < encoder.vocabulary.tokenBytes.count {
                bytes.append(contentsOf: encoder.vocabulary.tokenBytes[Int(id)])
            } else {
                bytes.append(contentsOf: [0xEF, 0xBF, 0xBD])
            }
        }
        // open_clip replaces "</w>" after decoding, on code points. Doing it on the bytes is
        // the same (the mark is ASCII, which UTF-8 never uses inside a character) and avoids
        // String's grapheme-cluster matching, which misses "</w>" before a combining mark.
        var spaced: [UInt8] = []
        spaced.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            if bytes[i] == 0x3C, i + 3 < bytes.count, bytes[i + 1] == 0x2F, bytes[i + 2] == 0x77, bytes[i + 3] == 0x3E {
                spaced.append(0x20)
                i += 4
            } else {
                spaced.append(bytes[i])
                i += 1
            }
        }
        return String(decoding: spaced, as: UTF8.self)
    }
}
