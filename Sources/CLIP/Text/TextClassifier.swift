import Foundation
import Tensor

/// FC-CLIP's text classifier for one vocabulary (spec §4.4–§4.5): one unit vector per
/// synonym plus the learned void embedding, and the classification rule that turns
/// embeddings into per-class logits.
public struct TextClassifier: @unchecked Sendable {
    /// `[S + 1, E]`: S synonym embeddings (class-major), then the normalised void embedding.
    public let embeddings: Tensor
    /// Synonyms per class, in class order (the official code calls this `num_templates`).
    public let synonymCounts: [Int]

    /// The number of classes C (excluding void).
    public var classCount: Int { synonymCounts.count }

    /// Builds the classifier from the un-normalised features of every prompt, ordered
    /// class-major, then synonym, then template (`templatesPerSynonym` per synonym):
    /// each prompt feature is divided by its norm (no epsilon, as the official code), the
    /// templates of a synonym are averaged, the average is divided by its norm, and
    /// `F.normalize(void)` (eps 1e-12) is appended.
    public init(promptFeatures: Tensor, templatesPerSynonym t: Int, synonymCounts: [Int], voidEmbedding: Tensor) {
        let s = synonymCounts.reduce(0, +)
        precondition(promptFeatures.rank == 2 && promptFeatures.shape[0] == s * t,
                     "\(promptFeatures.shape[0]) prompt features for \(s) synonyms × \(t) templates")
        self.init(synonymEmbeddings: Self.synonymEmbeddings(promptFeatures: promptFeatures, templatesPerSynonym: t),
                  synonymCounts: synonymCounts, voidEmbedding: voidEmbedding)
    }

    /// Builds the classifier from finished synonym embeddings `[S, E]` (as
    /// `synonymEmbeddings(promptFeatures:templatesPerSynonym:)` makes them, e.g. read back from
    /// `TextEmbeddingCache`), class-major, appending `F.normalize(void)` (eps 1e-12).
    public init(synonymEmbeddings: Tensor, synonymCounts: [Int], voidEmbedding: Tensor) {
        let e = synonymEmbeddings.shape[1]
        let s = synonymCounts.reduce(0, +)
        precondition(synonymEmbeddings.rank == 2 && synonymEmbeddings.shape[0] == s,
                     "\(synonymEmbeddings.shape[0]) synonym embeddings for \(s) synonyms")
        precondition(voidEmbedding.count == e, "void embedding of \(voidEmbedding.count) values for width \(e)")
        let voidRow = voidEmbedding.reshaped([1, e]).l2Normalized(eps: 1e-12).scalars
        embeddings = Tensor(shape: [s + 1, e], values: synonymEmbeddings.scalars + voidRow)
        self.synonymCounts = synonymCounts
    }

    /// One unit vector per synonym `[P / t, E]` from the un-normalised features `[P, E]` of its
    /// `t` prompts (synonym-major, template fastest): each prompt feature is divided by its norm
    /// (no epsilon, as the official code), the templates of a synonym are averaged (float sum,
    /// then divide, as torch.mean), and the average is divided by its norm.
    public static func synonymEmbeddings(promptFeatures: Tensor, templatesPerSynonym t: Int) -> Tensor {
        let e = promptFeatures.shape[1]
        precondition(promptFeatures.rank == 2 && t > 0 && promptFeatures.shape[0] % t == 0,
                     "\(promptFeatures.shape[0]) prompt features are not a whole number of synonyms × \(t) templates")
        let s = promptFeatures.shape[0] / t
        let normalized = promptFeatures.l2Normalized(eps: 0).scalars
        var rows = [Float](repeating: 0, count: s * e)
        for syn in 0..<s {
            let row = syn * e
            for k in 0..<t {
                let src = (syn * t + k) * e
                for j in 0..<e { rows[row + j] += normalized[src + j] }
            }
            var sq: Double = 0
            for j in 0..<e {
                rows[row + j] /= Float(t)
                sq += Double(rows[row + j]) * Double(rows[row + j])
            }
            let norm = Float(sq.squareRoot())
            for j in 0..<e { rows[row + j] /= norm }
        }
        return Tensor(shape: [s, e], values: rows)
    }

    /// Per-class logits `[N, C + 1]` for embeddings `x` `[N, E]` (`get_classification_logits`):
    /// `L = min(exp(logitScale), maxScale) · normalize(x) · embeddingsᵀ`, then for each class
    /// the maximum over its synonyms' columns, then the void column unchanged.
    public func logits(_ x: Tensor, logitScale: Float, maxScale: Float) -> Tensor {
        precondition(x.rank == 2 && x.shape[1] == embeddings.shape[1], "logits: \(x.shape) against width \(embeddings.shape[1])")
        let scale = min(Float(exp(Double(logitScale))), maxScale)
        let all = Tensor.matmul(x.l2Normalized(eps: 1e-12), embeddings, transposeB: true, alpha: scale)
        let n = x.shape[0], columns = embeddings.shape[0], c = classCount
        return all.withUnsafeBufferPointer { a in
            Tensor(shape: [n, c + 1]) { out in
                for r in 0..<n {
                    let row = a.baseAddress! + r * columns
                    var col = 0
                    for (k, count) in synonymCounts.enumerated() {
                        var best = -Float.infinity
                        for j in col..<(col + count) { best = max(best, row[j]) }
                        out[r * (c + 1) + k] = best
                        col += count
                    }
                    out[r * (c + 1) + c] = row[columns - 1]
                }
            }
        }
    }
}
