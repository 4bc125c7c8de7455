import ModelIO
import Tensor

/// The network input made from one image: resized, normalised and zero-padded (spec §2).
public struct PreprocessedImage: Sendable {
    /// `[1, Hp, Wp, 3]` (NHWC), float32: `(x − mean) / std` inside the resized image, 0 in the
    /// padding (bottom rows and right columns up to multiples of `size_divisibility`).
    public let tensor: Tensor
    /// The size after resizing, before padding: detectron2's `image_sizes`, used to crop the
    /// predictions before resizing them to `originalSize`.
    public let resizedSize: (height: Int, width: Int)
    /// The input image's size.
    public let originalSize: (height: Int, width: Int)

    public init(tensor: Tensor, resizedSize: (height: Int, width: Int), originalSize: (height: Int, width: Int)) {
        self.tensor = tensor
        self.resizedSize = resizedSize
        self.originalSize = originalSize
    }
}

/// FC-CLIP's evaluation-time input pipeline (spec §2.2–2.4): detectron2's
/// `ResizeShortestEdge(min_size_test, max_size_test)` with Pillow BILINEAR resampling, then
/// `(x − pixel_mean) / pixel_std` per RGB channel, then `ImageList.from_tensors` zero padding
/// on the bottom and right to multiples of `size_divisibility`.
public struct ImagePreprocessor: Sendable {
    public let config: ModelConfig.InputConfig
    /// The mean and std as PyTorch holds them: float32 buffers (`torch.Tensor(list)`).
    private let mean: (Float, Float, Float)
    private let std: (Float, Float, Float)

    public init(config: ModelConfig.InputConfig) {
        precondition(config.pixelMean.count == 3 && config.pixelStd.count == 3,
                     "pixel_mean and pixel_std need 3 values (RGB)")
        precondition(config.minSizeTest > 0, "min_size_test must be positive")
        self.config = config
        mean = (Float(config.pixelMean[0]), Float(config.pixelMean[1]), Float(config.pixelMean[2]))
        std = (Float(config.pixelStd[0]), Float(config.pixelStd[1]), Float(config.pixelStd[2]))
    }

    /// detectron2 `ResizeShortestEdge.get_output_shape` (spec §2.2), in Double as in Python:
    /// scale the short side to `min_size_test`; if the long side then exceeds `max_size_test`,
    /// scale both down so it equals `max_size_test`; round each side with `int(x + 0.5)`.
    /// A side of exactly k + 0.5 therefore rounds up.
    public func resizedSize(height: Int, width: Int) -> (height: Int, width: Int) {
        let size = Double(config.minSizeTest)
        let h = Double(height), w = Double(width)
        let scale = size / min(h, w)
        var newh: Double, neww: Double
        if h < w {
            newh = size
            neww = scale * w
        } else {
            newh = scale * h
            neww = size
        }
        let maxSize = Double(config.maxSizeTest)
        if max(newh, neww) > maxSize {
            let s = maxSize * 1.0 / max(newh, neww)
            newh = newh * s
            neww = neww * s
        }
        // Python int() truncates toward zero; the values are positive.
        return (height: Int(newh + 0.5), width: Int(neww + 0.5))
    }

    /// Resize (Pillow BILINEAR) → float → `(x − mean) / std` per channel → zero pad to
    /// multiples of `size_divisibility` (no padding when it is ≤ 1).
    public func callAsFunction(_ image: RGBImage) -> PreprocessedImage {
        let (h, w) = resizedSize(height: image.height, width: image.width)
        let resized = PillowResize.bilinear(image, width: max(w, 1), height: max(h, 1))
        return normalizeAndPad(resized, originalSize: (height: image.height, width: image.width))
    }

    /// Normalises and pads an image that is already at its network size.
    func normalizeAndPad(_ image: RGBImage, originalSize: (height: Int, width: Int)) -> PreprocessedImage {
        let h = image.height, w = image.width
        let d = config.sizeDivisibility
        let hp = d > 1 ? (h + d - 1) / d * d : h
        let wp = d > 1 ? (w + d - 1) / d * d : w
        let (m0, m1, m2) = mean
        let (s0, s1, s2) = std
        let tensor = image.pixels.withUnsafeBufferPointer { src in
            let srcBase = src.baseAddress!
            return Tensor(shape: [1, hp, wp, 3]) { out in
                let dst = out.baseAddress!
                parallelFor(hp, grain: max(1, 16384 / (wp * 3))) { rows in
                    for y in rows {
                        let o = dst + y * wp * 3
                        guard y < h else {
                            o.initialize(repeating: 0, count: wp * 3)
                            continue
                        }
                        let p = srcBase + y * w * 3
                        for x in 0..<w {
                            // float32 subtract then float32 divide, as PyTorch does.
                            o[3 * x + 0] = (Float(p[3 * x + 0]) - m0) / s0
                            o[3 * x + 1] = (Float(p[3 * x + 1]) - m1) / s1
                            o[3 * x + 2] = (Float(p[3 * x + 2]) - m2) / s2
                        }
                        if wp > w { (o + 3 * w).initialize(repeating: 0, count: (wp - w) * 3) }
                    }
                }
            }
        }
        return PreprocessedImage(tensor: tensor, resizedSize: (height: h, width: w), originalSize: originalSize)
    }
}
