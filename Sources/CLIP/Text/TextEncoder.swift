import ModelIO
import Tensor

/// The CLIP text transformer (`encode_text`, spec §4.2):
///
///     x = token_embedding[ids] + positional_embedding
///     for each block:  x = x + attn(ln_1(x), causal);  x = x + c_proj(GELU(c_fc(ln_2(x))))
///     f = ln_final(x)[argmax(ids)] · text_projection          (not normalised)
///
/// Prompts are encoded in batches of `batchSize`. Because attention is causal, the feature
/// at the end-of-text position depends only on the positions before it, so each batch runs
/// only up to its longest prompt (exact up to summation order, spec §14).
public struct CLIPTextEncoder: Sendable {
    struct Block: Sendable {
        let ln1, ln2: LayerNorm
        let attention: MultiheadAttentionWeights
        let fc, proj: Linear
        /// in_proj weight and bias, out_proj weight and bias, as loaded (shared with a
        /// memory-mapped weight file), for `weightDigest()`: `attention` keeps only its split copies.
        let attentionParameters: [Tensor]
    }

    public let contextLength: Int
    public let width: Int
    public let embedDim: Int
    let tokenEmbedding: Tensor
    let positionalEmbedding: Tensor
    let blocks: [Block]
    let finalNorm: LayerNorm
    let projection: Tensor
    /// Prompts per forward batch (bounds activation memory: 128·77·3072 floats ≈ 120 MB at L/14 width).
    public var batchSize = 128

    /// Loads from `weights` scoped at `backbone.clip_model`.
    public init(_ w: Weights, config: ModelConfig.CLIPConfig) throws {
        let t = config.text, e = t.width
        contextLength = t.contextLength
        width = e
        embedDim = config.embedDim
        let eps = Float(t.lnEps)
        tokenEmbedding = try w.tensor("token_embedding.weight", [t.vocabSize, e])
        positionalEmbedding = try w.tensor("positional_embedding", [t.contextLength, e])
        blocks = try (0..<t.layers).map { i in
            let b = w.scoped("transformer.resblocks.\(i)")
            let inProjWeight = try b.tensor("attn.in_proj_weight", [3 * e, e])
            let inProjBias = try b.tensor("attn.in_proj_bias", [3 * e])
            let outProjWeight = try b.tensor("attn.out_proj.weight", [e, e])
            let outProjBias = try b.tensor("attn.out_proj.bias", [e])
            return Block(
                ln1: try LayerNorm(b.scoped("ln_1"), channels: e, eps: eps),
                ln2: try LayerNorm(b.scoped("ln_2"), channels: e, eps: eps),
                attention: MultiheadAttentionWeights(
                    inProjWeight: inProjWeight, inProjBias: inProjBias,
                    outProjWeight: outProjWeight, outProjBias: outProjBias, heads: t.heads),
                fc: try Linear(b.scoped("mlp.c_fc"), out: t.mlpRatio * e, in: e),
                proj: try Linear(b.scoped("mlp.c_proj"), out: e, in: t.mlpRatio * e),
                attentionParameters: [inProjWeight, inProjBias, outProjWeight, outProjBias])
        }
        finalNorm = try LayerNorm(w.scoped("ln_final"), channels: e, eps: eps)
        projection = try w.tensor("text_projection", [e, config.embedDim])
    }

    /// The un-normalised text features `[N, embed_dim]` of `N` token rows of `contextLength`
    /// ids each (as `CLIPTokenizer.tokenize` makes them).
    public func encode(_ tokens: [[Int32]]) -> Tensor {
        var out = Tensor(shape: [tokens.count, embedDim])
        var start = 0
        while start < tokens.count {
            let batch = Array(tokens[start..<min(start + batchSize, tokens.count)])
            let features = encodeBatch(batch)
            out.withUnsafeMutableBufferPointer { o in
                features.withUnsafeBufferPointer { f in
                    (o.baseAddress! + start * embedDim).update(from: f.baseAddress!, count: f.count)
                }
            }
            start += batch.count
        }
        return out
    }

    /// The position FC-CLIP pools at: the first occurrence of the largest id (`argmax`),
    /// which is the end-of-text token.
    static func poolingIndex(_ ids: [Int32]) -> Int {
        var best = 0
        for (i, id) in ids.enumerated() where id > ids[best] { best = i }
        return best
    }

    private func encodeBatch(_ tokens: [[Int32]]) -> Tensor {
        let n = tokens.count, e = width
        for row in tokens {
            precondition(row.count == contextLength, "text tokens must have \(contextLength) ids per prompt, got \(row.count)")
        }
        let pool = tokens.map(CLIPTextEncoder.poolingIndex)
        let length = (pool.max() ?? 0) + 1
        // x[b, p, :] = token_embedding[id] + positional_embedding[p] for p < length.
        var x = Tensor(shape: [n, length, e])
        let vocab = tokenEmbedding.shape[0]
        x.withUnsafeMutableBufferPointer { xb in
            tokenEmbedding.withUnsafeBufferPointer { te in
                positionalEmbedding.withUnsafeBufferPointer { pe in
                    for b in 0..<n {
                        for p in 0..<length {
                            let id = Int(tokens[b][p])
                            precondition(id >= 0 && id < vocab, "token id \(id) outside the vocabulary of \(vocab)")
                            let dst = xb.baseAddress! + (b * length + p) * e
                            for j in 0..<e { dst[j] = te[id * e + j] + pe[p * e + j] }
                        }
                    }
                }
            }
        }
        for block in blocks {
            let h = block.ln1(x)
            x.add(block.attention(query: h, key: h, value: h, mask: .causal))
            var hidden = block.fc(block.ln2(x))
            hidden.applyGELU()
            x.add(block.proj(hidden))
        }
        // Gather the pooled rows first, then LayerNorm and project only those.
        let pooled = x.withUnsafeBufferPointer { xb in
            Tensor(shape: [n, e]) { out in
                for b in 0..<n {
                    (out.baseAddress! + b * e).update(from: xb.baseAddress! + (b * length + pool[b]) * e, count: e)
                }
            }
        }
        let normed = finalNorm(pooled)
        return Tensor.matmul(normed, projection)
    }
}
