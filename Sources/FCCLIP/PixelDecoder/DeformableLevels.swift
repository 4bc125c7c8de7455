import Tensor

/// The geometry of the flattened multi-scale token sequence of the deformable encoder:
/// level l is an `height_l × width_l` map whose tokens (row-major) occupy rows
/// `[start_l, start_l + height_l·width_l)` (PyTorch `spatial_shapes` / `level_start_index`).
public struct DeformableLevels: Sendable, Equatable {
    /// `(height, width)` of each level, in sequence order.
    public let shapes: [(height: Int, width: Int)]
    /// First token of each level.
    public let starts: [Int]
    /// Total number of tokens.
    public let tokens: Int

    public init(shapes: [(height: Int, width: Int)]) {
        precondition(!shapes.isEmpty && shapes.allSatisfy { $0.height > 0 && $0.width > 0 },
                     "DeformableLevels needs non-empty levels")
        self.shapes = shapes
        var starts: [Int] = [], n = 0
        for s in shapes {
            starts.append(n)
            n += s.height * s.width
        }
        self.starts = starts
        tokens = n
    }

    public static func == (a: DeformableLevels, b: DeformableLevels) -> Bool {
        a.shapes.count == b.shapes.count && zip(a.shapes, b.shapes).allSatisfy { $0 == $1 }
    }

    /// Reference points `[tokens, 2]` in normalised (x, y) order: the centre of token (r, c)
    /// of level l is `((c + 0.5) / W_l, (r + 0.5) / H_l)` (`get_reference_points` with all
    /// valid ratios 1; `linspace(0.5, n - 0.5, n)` is exact in float32).
    public func referencePoints() -> Tensor {
        Tensor(shape: [tokens, 2]) { out in
            var i = 0
            for (h, w) in shapes {
                for r in 0..<h {
                    let y = (Float(r) + 0.5) / Float(h)
                    for c in 0..<w {
                        out[2 * i] = (Float(c) + 0.5) / Float(w)
                        out[2 * i + 1] = y
                        i += 1
                    }
                }
            }
        }
    }

    /// Concatenates NHWC maps `[1, h_l, w_l, C]` (one per level, in order) into tokens `[tokens, C]`.
    public func flatten(_ maps: [Tensor]) -> Tensor {
        precondition(maps.count == shapes.count, "flatten: \(maps.count) maps for \(shapes.count) levels")
        let c = maps[0].shape.last ?? 0
        for (m, s) in zip(maps, shapes) {
            precondition(m.shape == [1, s.height, s.width, c], "flatten: map \(m.shape) for level \(s) of \(c) channels")
        }
        return Tensor(shape: [tokens, c]) { out in
            for (l, m) in maps.enumerated() {
                m.withUnsafeBufferPointer { src in
                    (out.baseAddress! + starts[l] * c).update(from: src.baseAddress!, count: src.count)
                }
            }
        }
    }

    /// Splits tokens `[tokens, C]` (or `[1, tokens, C]`) back into NHWC maps `[1, h_l, w_l, C]`.
    public func split(_ tokensTensor: Tensor) -> [Tensor] {
        let c = tokensTensor.shape.last ?? 0
        precondition(tokensTensor.count == tokens * c, "split: \(tokensTensor.shape) is not \(tokens) tokens")
        var maps: [Tensor] = []
        tokensTensor.withUnsafeBufferPointer { src in
            for (l, s) in shapes.enumerated() {
                let n = s.height * s.width * c
                let from = src.baseAddress! + starts[l] * c
                maps.append(Tensor(shape: [1, s.height, s.width, c]) { out in
                    out.baseAddress!.update(from: from, count: n)
                })
            }
        }
        return maps
    }
}
