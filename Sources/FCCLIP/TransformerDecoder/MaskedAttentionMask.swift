import Foundation
import Tensor

/// The boolean cross-attention mask of Mask2Former's masked attention (spec §6.3 step 4 and
/// §6.4 step 2.2), in PyTorch's convention: `true` means the query may **not** attend to
/// that position. Rows are queries, columns the positions of the target level (row-major).
public enum MaskedAttentionMask {
    /// The official mask from full-resolution mask logits `[Q, H, W]` (or `[Q, H·W]` with
    /// `sourceHeight`/`sourceWidth`): bilinear resize (align_corners=False, no antialias) to
    /// `height × width`, then `sigmoid(m) < 0.5`, then the empty-row fix. `[Q · height · width]`.
    public static func blocked(maskLogits: Tensor, sourceHeight: Int, sourceWidth: Int,
                               height: Int, width: Int) -> [Bool] {
        let q = maskLogits.count / max(sourceHeight * sourceWidth, 1)
        precondition(q * sourceHeight * sourceWidth == maskLogits.count,
                     "mask logits \(maskLogits.shape) are not Q maps of \(sourceHeight)x\(sourceWidth)")
        // Each query's map is one image of a channels-last [Q, H, W, 1] batch.
        let resized = maskLogits.reshaped([q, sourceHeight, sourceWidth, 1]).resizedBilinear(height: height, width: width)
        var mask = blocked(resizedLogits: resized)
        unblockEmptyRows(&mask, columns: height * width)
        return mask
    }

    /// `sigmoid(m) < 0.5` for every element, with the sigmoid computed in float32 as
    /// PyTorch does (`1 / (1 + exp(-m))`). This is *not* `m < 0`: for tiny negative m
    /// (|m| below about 6e-8) `exp(-m)` rounds so that the sigmoid is exactly 0.5 and the
    /// position stays attendable.
    public static func blocked(resizedLogits m: Tensor) -> [Bool] {
        let n = m.count
        var out = [Bool](repeating: false, count: n)
        m.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                let (s, d) = (src.baseAddress!, dst.baseAddress!)
                parallelFor(n, grain: 1 << 15) { range in
                    for i in range { d[i] = float32Sigmoid(s[i]) < 0.5 }
                }
            }
        }
        return out
    }

    /// The empty-row fix (spec §6.4 step 2.2, §13 item 5): a row (query) whose every column is
    /// blocked is unblocked entirely, so that query attends to every position.
    public static func unblockEmptyRows(_ mask: inout [Bool], columns: Int) {
        precondition(columns > 0 && mask.count % columns == 0, "mask of \(mask.count) values is not rows of \(columns)")
        let rows = mask.count / columns
        mask.withUnsafeMutableBufferPointer { m in
            for r in 0..<rows {
                let row = m.baseAddress! + r * columns
                var all = true
                for j in 0..<columns where !row[j] { all = false; break }
                if all { row.update(repeating: false, count: columns) }
            }
        }
    }

    /// The blocked mask as an additive `[rows, columns]` attention mask (-inf where blocked,
    /// 0 elsewhere). Same scores as `AttentionMask.blocked`, but the attention kernel applies
    /// a float mask as a vectorisable add, about 0.2 s faster per stride-8 layer at real size.
    public static func additive(_ mask: [Bool], rows: Int, columns: Int) -> AttentionMask {
        precondition(mask.count == rows * columns, "mask of \(mask.count) values for [\(rows), \(columns)]")
        let t = mask.withUnsafeBufferPointer { m in
            Tensor(shape: [rows, columns]) { out in
                for i in 0..<m.count { out[i] = m[i] ? -.infinity : 0 }
            }
        }
        return .additive(t)
    }

    /// `1 / (1 + exp(-x))` in float32.
    @inline(__always)
    static func float32Sigmoid(_ x: Float) -> Float {
        1 / (1 + expf(-x))
    }
}
