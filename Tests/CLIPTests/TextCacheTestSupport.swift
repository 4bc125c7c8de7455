import CLIP
import Foundation
import GoldenFixtures
import Testing

/// A fresh cache folder per test, removed at the end.
final class CacheScratch: Sendable {
    let path: String

    init() {
        path = NSTemporaryDirectory() + "segd-text-cache-\(UUID().uuidString.prefix(8))"
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func cache(maxBytes: Int = TextEmbeddingCache.defaultMaxBytes,
               warn: @escaping @Sendable (String) -> Void = { _ in }) -> TextEmbeddingCache {
        TextEmbeddingCache(directory: path, maxBytes: maxBytes, warn: warn)
    }

    /// The entry files' names, sorted.
    var entryNames: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path + "/" + TextEmbeddingCache.entriesFolderName)) ?? []).sorted()
    }
}

/// Collects warnings from any thread.
final class Warnings: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String] = []
    func add(_ message: String) { lock.lock(); list.append(message); lock.unlock() }
    var messages: [String] { lock.lock(); defer { lock.unlock() }; return list }
}

enum TextCacheFixture {
    /// tiny-a's CLIP model (text width 16, embedding 24).
    static func model() throws -> CLIPModel { try CLIPModel(bundle: GoldenFixture("tiny-a").bundle) }

    /// Bit patterns, so that equality means bit for bit (and NaN is never equal by accident).
    static func bits(_ classifier: TextClassifier) -> [UInt32] { classifier.embeddings.scalars.map(\.bitPattern) }
}
