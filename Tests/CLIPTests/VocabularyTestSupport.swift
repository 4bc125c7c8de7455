import CLIP
import Foundation
import ModelIO
import Testing

/// Paths and readers for the fixtures the vocabulary tests use (Tests/Fixtures).
enum VocabularyFixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

    /// The official class-name folder (copied unchanged from ../shared/spec/fcclip-classnames).
    static func classnames(_ file: String) -> String { path("spec/fcclip-classnames/\(file)") }

    static func lines(_ file: String) throws -> [String] {
        try String(contentsOfFile: classnames(file), encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    /// One row of a generated TSV: synonyms (official split), isthing, seen_in_coco.
    struct TSVRow: Equatable {
        let synonyms: [String]
        let isThing: Bool
        let seen: Bool
    }

    static func tsv(_ file: String) throws -> [TSVRow] {
        try lines(file).filter { !$0.isEmpty && !$0.hasPrefix("#") }.map { line in
            let c = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            #expect(c.count == 5, "\(file): \(line)")
            return TSVRow(synonyms: officialSplit(c[4]), isThing: c[2] == "1", seen: c[3] == "1")
        }
    }

    /// The synonym lists of a `*_with_prompt_eng.txt` file after the official skipping.
    static func promptEng(_ file: String, keepIndexZero: Bool) throws -> [[String]] {
        try lines(file).filter { !$0.isEmpty }.compactMap { line in
            let parts = line.split(separator: ":", maxSplits: 1).map(String.init)
            if parts[1] == "invalid_class_id" || (parts[0] == "0" && !keepIndexZero) { return nil }
            return officialSplit(parts[1])
        }
    }

    /// FC-CLIP's split, written independently of the library: ", " → ",", split on ",".
    static func officialSplit(_ s: String) -> [String] {
        s.replacingOccurrences(of: ", ", with: ",").components(separatedBy: ",")
    }

    /// The parts of a golden fixture's config.json the vocabulary layer must reproduce.
    struct Config: Decodable {
        struct Class: Decodable {
            let synonyms: [String]
            let isthing: Bool
            let overlapping_with_train: Bool
        }
        let classes: [Class]
        let templates: [String]
        let prompts: [String]
    }

    static func config(_ fixture: String) throws -> Config {
        let data = try Data(contentsOf: URL(fileURLWithPath: path("fcclip/\(fixture)/config.json")))
        return try JSONDecoder().decode(Config.self, from: data)
    }

    static func ioIntegers(_ fixture: String, _ name: String) throws -> [Int64] {
        try SafeTensorsFile(path: path("fcclip/\(fixture)/io.safetensors")).integers(name).values
    }

    static func vocabPath(_ fixture: String) -> String { path("fcclip/\(fixture)/vocab.txt") }
}

/// The VocabularyError thrown by `body` (recording a failure if it throws nothing or another error).
func vocabularyError(_ body: () throws -> Vocabulary) -> VocabularyError? {
    do {
        _ = try body()
        Issue.record("expected a VocabularyError, got a vocabulary")
    } catch let error as VocabularyError {
        return error
    } catch {
        Issue.record("expected a VocabularyError, got \(error)")
    }
    return nil
}

/// A temporary file holding `text`, removed on deinit.
final class VocabularyTempFile {
    let path: String
    init(_ text: String, name: String = "vocab.txt") throws {
        let dir = NSTemporaryDirectory() + "segd-vocab-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        path = dir + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }
    deinit { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
}
