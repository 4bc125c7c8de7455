import Foundation
import Tensor

/// DETR-style sine positional encoding as FC-CLIP configures it (spec §5.3):
/// `PositionEmbeddingSine(num_pos_feats = C/2, temperature = 10000, normalize = True, scale = 2π)`
/// over an all-valid mask. Used by the pixel decoder and the transformer decoder.
public enum SinePositionEncoding {
    /// The encoding of an `height × width` map as channels-last `[height, width, channels]`
    /// (flatten to `[H·W, C]` for tokens): channels `[0, C/2)` encode the row, `[C/2, C)` the
    /// column. For row i (1-based) `y = i / (H + 1e-6) · 2π`, likewise x; then channel k of a
    /// half is `sin(v / t_k)` for even k and `cos(v / t_k)` for odd k with
    /// `t_k = 10000^(2⌊k/2⌋ / (C/2))`. Computed in float32 as PyTorch does.
    public static func encode(height: Int, width: Int, channels: Int) -> Tensor {
        precondition(channels % 2 == 0 && channels > 0, "sine position encoding needs an even channel count")
        let half = channels / 2
        let scale = Float(2 * Double.pi)
        let dimT: [Float] = (0..<half).map { k in
            Float(powf(10000, Float(2 * (k / 2)) / Float(half)))
        }
        func embed(_ index: Int, _ extent: Int) -> [Float] {
            let v = Float(index + 1) / (Float(extent) + 1e-6) * scale
            return (0..<half).map { k in
                let a = v / dimT[k]
                return k % 2 == 0 ? sinf(a) : cosf(a)
            }
        }
        let rows = (0..<height).map { embed($0, height) }
        let cols = (0..<width).map { embed($0, width) }
        return Tensor(shape: [height, width, channels]) { out in
            for y in 0..<height {
                for x in 0..<width {
                    let base = (y * width + x) * channels
                    for k in 0..<half {
                        out[base + k] = rows[y][k]
                        out[base + half + k] = cols[x][k]
                    }
                }
            }
        }
    }
}
