import FCCLIP

/// Decides whether a processed frame starts a new shot: the mean absolute difference of the
/// luma of two consecutive frames' 32×18 thumbnails (area means, so noise and small motion
/// average out) above a threshold. A slow pan or objects moving stay well below 40; a cut
/// between unrelated shots is typically above 60.
public struct SceneCutDetector: Sendable {
    /// Mean absolute luma difference (0…255) that counts as a cut; 0 or less: never.
    public var threshold: Double
    private var previous: [Float]?

    public static let thumbnailWidth = 32, thumbnailHeight = 18

    public init(threshold: Double) {
        self.threshold = threshold
    }

    /// Whether `image` is a cut from the previous image given (the first never is; a change of
    /// size always is).
    public mutating func isCut(_ image: RGBImage) -> Bool {
        guard threshold > 0 else { return false }
        let thumb = Self.thumbnail(image)
        defer { previous = thumb }
        guard let previous else { return false }
        guard let change = Self.difference(previous, thumb) else { return true }
        return change > threshold
    }

    /// Mean absolute difference (0…255) of two thumbnails; nil when their sizes differ (and
    /// 0 when both are empty). The change gate (`ReuseGate`) measures with the same thumbnails.
    static func difference(_ a: [Float], _ b: [Float]) -> Double? {
        guard a.count == b.count else { return nil }
        guard !a.isEmpty else { return 0 }
        var sum: Float = 0
        for i in a.indices { sum += abs(a[i] - b[i]) }
        return Double(sum) / Double(a.count)
    }

    /// Luma (BT.601) area means on a `thumbnailWidth × thumbnailHeight` grid; `dense`: of every
    /// pixel (sensor noise averages out further, as the change gate needs), else of every other
    /// pixel of every other row at the least.
    static func thumbnail(_ image: RGBImage, dense: Bool = false) -> [Float] {
        let tw = thumbnailWidth, th = thumbnailHeight, w = image.width, h = image.height
        guard w > 0, h > 0 else { return [] }
        var sums = [Float](repeating: 0, count: tw * th), counts = [Float](repeating: 0, count: tw * th)
        // Every other pixel of every other row is plenty for a cut.
        let step = dense ? 1 : max(1, min(w / tw, h / th) / 2)
        image.pixels.withUnsafeBufferPointer { p in
            var y = 0
            while y < h {
                let ty = y * th / h
                var x = 0
                while x < w {
                    let o = (y * w + x) * 3
                    let luma = 0.299 * Float(p[o]) + 0.587 * Float(p[o + 1]) + 0.114 * Float(p[o + 2])
                    let t = ty * tw + x * tw / w
                    sums[t] += luma
                    counts[t] += 1
                    x += step
                }
                y += step
            }
        }
        return zip(sums, counts).map { $1 > 0 ? $0 / $1 : 0 }
    }
}
