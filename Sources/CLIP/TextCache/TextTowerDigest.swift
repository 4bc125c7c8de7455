import Foundation
import Tensor

extension CLIPTextEncoder {
    /// Every tensor the encoder computes with, by its checkpoint name (relative to
    /// `backbone.clip_model`), in a fixed order.
    var namedParameters: [(name: String, tensor: Tensor)] {
        var list: [(String, Tensor)] = [("token_embedding.weight", tokenEmbedding), ("positional_embedding", positionalEmbedding)]
        for (i, block) in blocks.enumerated() {
            let p = "transformer.resblocks.\(i)."
            list += [(p + "ln_1.weight", block.ln1.weight), (p + "ln_1.bias", block.ln1.bias),
                     (p + "ln_2.weight", block.ln2.weight), (p + "ln_2.bias", block.ln2.bias)]
            let attention = ["attn.in_proj_weight", "attn.in_proj_bias", "attn.out_proj.weight", "attn.out_proj.bias"]
            list += zip(attention, block.attentionParameters).map { (p + $0, $1) }
            list += [(p + "mlp.c_fc.weight", block.fc.weight), (p + "mlp.c_proj.weight", block.proj.weight)]
            if let bias = block.fc.bias { list.append((p + "mlp.c_fc.bias", bias)) }
            if let bias = block.proj.bias { list.append((p + "mlp.c_proj.bias", bias)) }
        }
        list += [("ln_final.weight", finalNorm.weight), ("ln_final.bias", finalNorm.bias), ("text_projection", projection)]
        return list
    }

    /// A digest of everything that decides the encoder's output: its shape settings (context
    /// length, width, embedding size, heads, layer-norm eps) and the name, shape and float32 bytes
    /// of every tensor it computes with. Reads every weight once (about 600 MB at real size, the
    /// tensors hashed in parallel); compute it once per model load (`CachedTextClassifierBuilder`
    /// does).
    public func weightDigest() -> ContentDigest {
        let parameters = namedParameters
        // Work items of at most 1 Mi floats, so that the threads share even the largest tensor.
        let chunk = 1 << 20
        var items: [(parameter: Int, range: Range<Int>)] = []
        for (i, p) in parameters.enumerated() {
            var start = 0
            repeat {
                let end = min(start + chunk, p.tensor.count)
                items.append((i, start..<end))
                start = end
            } while start < p.tensor.count
        }
        let digests = UnsafeMutableBufferPointer<ContentDigest>.allocate(capacity: items.count)
        defer { digests.deallocate() }
        parallelFor(items.count) { range in
            for k in range {
                var hasher = ContentHasher(seed: 1)
                parameters[items[k].parameter].tensor.withUnsafeBufferPointer {
                    hasher.combine(floats: UnsafeBufferPointer(rebasing: $0[items[k].range]))
                }
                (digests.baseAddress! + k).initialize(to: hasher.finalize())
            }
        }
        var hasher = ContentHasher(seed: 2)
        hasher.combine("segd.clip-text-encoder")
        for value in [contextLength, width, embedDim, blocks.count, blocks.first?.attention.heads ?? 0] { hasher.combine(value) }
        hasher.combine(finalNorm.eps)
        for block in blocks {
            hasher.combine(block.ln1.eps)
            hasher.combine(block.ln2.eps)
        }
        for parameter in parameters {
            hasher.combine(parameter.name)
            hasher.combine(parameter.tensor.shape.count)
            for d in parameter.tensor.shape { hasher.combine(d) }
        }
        for digest in digests { hasher.combine(digest) }
        return hasher.finalize()
    }
}
