import CLIP
import Foundation
import Testing

/// Locating and reading the tokenizer fixtures in Tests/Fixtures.
enum TokenizerFixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

    static let vocabularyPath = path("tokenizer/bpe_simple_vocab_16e6.txt.gz")

    /// One tokenizer shared by all tests (nil if the vocabulary cannot be loaded; the loading
    /// tests then report why).
    static let shared: CLIPTokenizer? = try? CLIPTokenizer(vocabularyPath: vocabularyPath)

    static func tokenizer() throws -> CLIPTokenizer {
        try #require(shared, "cannot load \(vocabularyPath)")
    }

    /// The parsed tokenizer/cases.json (nil if unreadable; `fixtureFileIsComplete` reports it).
    static let casesFile: CasesFile? = {
        guard let data = FileManager.default.contents(atPath: path("tokenizer/cases.json")) else { return nil }
        return try? JSONDecoder().decode(CasesFile.self, from: data)
    }()

    static let cases: [TokenizerCase] = (casesFile?.cases ?? []).enumerated().map { TokenizerCase(index: $0, entry: $1) }

    /// The prompts of spec/fcclip-tokenizer-samples.json.
    static let samples: [TokenizerSample] = {
        guard let data = FileManager.default.contents(atPath: path("spec/fcclip-tokenizer-samples.json")),
              let file = try? JSONDecoder().decode(SamplesFile.self, from: data) else { return [] }
        return file.samples
    }()

    struct CasesFile: Decodable {
        let contextLength: Int
        let sotTokenID: Int32
        let eotTokenID: Int32
        let vocabSize: Int
        let padID: Int32
        let cases: [Entry]

        struct Entry: Decodable {
            let text: String
            let cleaned: String
            let bpeIDs: [Int32]
            let truncated: Bool
            let ids: [Int32]

            enum CodingKeys: String, CodingKey {
                case text, cleaned, truncated, ids
                case bpeIDs = "bpe_ids"
            }
        }

        enum CodingKeys: String, CodingKey {
            case cases
            case contextLength = "context_length"
            case sotTokenID = "sot_token_id"
            case eotTokenID = "eot_token_id"
            case vocabSize = "vocab_size"
            case padID = "pad_id"
        }
    }

    struct SamplesFile: Decodable {
        let samples: [TokenizerSample]
    }

    /// A stored gzip file holding `data` uncompressed (deflate "stored" blocks), for building
    /// vocabulary files in tests without a compressor.
    static func gzipStored(_ data: Data) -> Data {
        var out = Data([0x1F, 0x8B, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0xFF])
        let bytes = [UInt8](data)
        var offset = 0
        repeat {
            let count = min(65_535, bytes.count - offset)
            let final: UInt8 = offset + count == bytes.count ? 1 : 0
            out.append(final)
            out.append(contentsOf: [UInt8(count & 0xFF), UInt8(count >> 8), UInt8(~count & 0xFF), UInt8((~count >> 8) & 0xFF)])
            out.append(contentsOf: bytes[offset..<(offset + count)])
            offset += count
        } while offset < bytes.count
        out.append(contentsOf: littleEndian(crc32(bytes)))
        out.append(contentsOf: littleEndian(UInt32(truncatingIfNeeded: bytes.count)))
        return out
    }

    private static func littleEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value >> 16 & 0xFF), UInt8(value >> 24)]
    }

    private static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    /// A fresh temporary folder, removed by `remove()`.
    static func temporaryDirectory() throws -> String {
        let dir = NSTemporaryDirectory() + "clip-tokenizer-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Seconds taken by `body`.
    static func seconds(_ body: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
}

/// One entry of cases.json, named by its index and text in test reports.
struct TokenizerCase: Sendable, CustomTestStringConvertible {
    let index: Int
    let text: String
    let cleaned: String
    let bpeIDs: [Int32]
    let truncated: Bool
    let ids: [Int32]

    init(index: Int, entry: TokenizerFixtures.CasesFile.Entry) {
        self.index = index
        text = entry.text
        cleaned = entry.cleaned
        bpeIDs = entry.bpeIDs
        truncated = entry.truncated
        ids = entry.ids
    }

    var testDescription: String {
        let shown = text.unicodeScalars.prefix(40).map { $0.value < 0x20 ? "\\u{\(String($0.value, radix: 16))}" : String($0) }.joined()
        return "case \(index): \"\(shown)\(text.unicodeScalars.count > 40 ? "…" : "")\""
    }
}

/// One prompt of fcclip-tokenizer-samples.json: its ids before the zero padding.
struct TokenizerSample: Sendable, Decodable, CustomTestStringConvertible {
    let text: String
    let ids: [Int32]
    let eotIndex: Int

    enum CodingKeys: String, CodingKey {
        case text, ids
        case eotIndex = "eot_index"
    }

    var testDescription: String { "\"\(text)\"" }
}
