import Foundation
import Tensor

/// What building one classifier took: how many synonyms came from the cache and how many were
/// encoded.
public struct TextClassifierBuildReport: Sendable, Equatable {
    /// Distinct synonyms of the vocabulary.
    public var synonyms = 0
    /// Synonyms read from the cache.
    public var found = 0
    /// Synonyms encoded now (missing, or their entry was rejected).
    public var computed = 0
    /// Entries that were there but failed their checks (counted in `computed`, and rewritten).
    public var rejected = 0
    /// Entries written to the cache.
    public var stored = 0
    /// Prompts run through the text encoder (`computed` × templates).
    public var promptsEncoded = 0

    public init() {}
}

/// Builds text classifiers with a `TextEmbeddingCache` underneath: each synonym's embedding (the
/// normalised mean of its template prompts' features, as `TextClassifier` uses it) is one cache
/// entry, so a vocabulary that differs from a cached one in one class encodes only that class's
/// prompts, and a second process start encodes nothing.
///
/// An entry's key is the digest of: the entry format version, the text tower (`modelDigest`:
/// the encoder's weights and settings, and the tokenizer vocabulary), the template list, and
/// the synonym. The void embedding is appended from the model every time (it is not text).
///
/// With every synonym missing, the classifier is bit for bit `CLIPModel.textClassifier(for:)`'s
/// (the same prompts are encoded in the same batches); one built from entries is bit for bit the
/// one that wrote them. Thread-safe.
public final class CachedTextClassifierBuilder: @unchecked Sendable {
    public let tokenizer: CLIPTokenizer
    public let encoder: CLIPTextEncoder
    public let voidEmbedding: Tensor
    /// nil: every classifier is computed in memory.
    public let cache: TextEmbeddingCache?

    private let lock = NSLock()
    private var digest: ContentDigest?
    private var encodedTotal = 0

    public init(tokenizer: CLIPTokenizer, encoder: CLIPTextEncoder, voidEmbedding: Tensor, cache: TextEmbeddingCache?) {
        self.tokenizer = tokenizer
        self.encoder = encoder
        self.voidEmbedding = voidEmbedding
        self.cache = cache
    }

    /// The builder for `model`'s text tower.
    public convenience init(model: CLIPModel, cache: TextEmbeddingCache?) {
        self.init(tokenizer: model.tokenizer, encoder: model.textEncoder, voidEmbedding: model.voidEmbedding, cache: cache)
    }

    /// Prompts this builder has run through the text encoder, over all builds.
    public var promptsEncoded: Int {
        lock.lock()
        defer { lock.unlock() }
        return encodedTotal
    }

    /// The text tower's digest: the encoder's `weightDigest()` with the tokenizer's
    /// `vocabularyDigest`. Computed on first use, once.
    public var modelDigest: ContentDigest {
        lock.lock()
        if let digest {
            lock.unlock()
            return digest
        }
        lock.unlock()
        var hasher = ContentHasher(seed: 4)
        hasher.combine(encoder.weightDigest())
        hasher.combine(tokenizer.vocabularyDigest)
        let computed = hasher.finalize()
        lock.lock()
        digest = computed
        lock.unlock()
        return computed
    }

    /// The cache key of `synonym` in `templates` for this text tower.
    public func key(synonym: String, templates: [String] = PromptTemplates.vild) -> ContentDigest {
        key(synonym: synonym, templatesDigest: Self.templatesDigest(templates), model: modelDigest)
    }

    private func key(synonym: String, templatesDigest: ContentDigest, model: ContentDigest) -> ContentDigest {
        var hasher = ContentHasher(seed: 5)
        hasher.combine("segd.text-embedding")
        hasher.combine(Int(EmbeddingCacheEntry.version))
        hasher.combine(model)
        hasher.combine(templatesDigest)
        hasher.combine(synonym)
        return hasher.finalize()
    }

    private static func templatesDigest(_ templates: [String]) -> ContentDigest {
        var hasher = ContentHasher(seed: 6)
        hasher.combine(templates.count)
        for template in templates { hasher.combine(template) }
        return hasher.finalize()
    }

    /// The classifier of `vocabulary`: synonyms found in the cache are read, the others encoded
    /// (all of their prompts in one batched pass) and written to the cache.
    public func classifier(for vocabulary: Vocabulary, templates: [String] = PromptTemplates.vild)
        -> (classifier: TextClassifier, report: TextClassifierBuildReport) {
        precondition(!templates.isEmpty, "at least one prompt template")
        let e = encoder.embedDim
        var report = TextClassifierBuildReport()
        // Distinct synonyms in first-appearance order.
        var index: [String: Int] = [:]
        var distinct: [String] = []
        for synonym in vocabulary.synonyms where index[synonym] == nil {
            index[synonym] = distinct.count
            distinct.append(synonym)
        }
        report.synonyms = distinct.count
        var rows = [[Float]?](repeating: nil, count: distinct.count)
        var keys: [ContentDigest] = []
        if let cache {
            let model = modelDigest, templatesDigest = Self.templatesDigest(templates)
            keys = distinct.map { key(synonym: $0, templatesDigest: templatesDigest, model: model) }
            for (i, key) in keys.enumerated() {
                switch cache.load(key, dimension: e) {
                case .hit(let values): rows[i] = values; report.found += 1
                case .rejected: report.rejected += 1
                case .miss: break
                }
            }
        }
        let missing = rows.indices.filter { rows[$0] == nil }
        if !missing.isEmpty {
            let prompts = missing.flatMap { Vocabulary.prompts(for: distinct[$0], templates: templates) }
            let features = encoder.encode(tokenizer.tokenize(prompts, contextLength: encoder.contextLength))
            let embeddings = TextClassifier.synonymEmbeddings(promptFeatures: features, templatesPerSynonym: templates.count).scalars
            var fresh: [(key: ContentDigest, values: [Float])] = []
            for (k, i) in missing.enumerated() {
                let values = Array(embeddings[(k * e)..<((k + 1) * e)])
                rows[i] = values
                if cache != nil { fresh.append((keys[i], values)) }
            }
            report.computed = missing.count
            report.promptsEncoded = prompts.count
            lock.lock()
            encodedTotal += prompts.count
            lock.unlock()
            if let cache { report.stored = cache.store(fresh) }
        }
        var all: [Float] = []
        all.reserveCapacity(vocabulary.synonyms.count * e)
        for synonym in vocabulary.synonyms { all += rows[index[synonym]!]! }
        let classifier = TextClassifier(synonymEmbeddings: Tensor(shape: [vocabulary.synonyms.count, e], values: all),
                                        synonymCounts: vocabulary.synonymCounts, voidEmbedding: voidEmbedding)
        return (classifier, report)
    }
}
