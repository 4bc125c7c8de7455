import Media

/// The codec's motion between two processed frames on a grid of blocks: per block, how far the
/// picture content moved (pixels, `current − previous`), built from `DecodedFrame.motionVectors`.
///
/// Only vectors that predict from a past frame count (a vector says that the block at its
/// destination came from its source, so the content moved by `destination − source`). Blocks
/// without a vector (intra, skipped) carry no information and are left out of means. Fields of
/// the frames between two processed frames add up (`accumulate`), an approximation that holds
/// for the small per-frame motion of video.
///
/// This is the one warp of segd: the tracker moves each previous mask by `displacement(in:)`,
/// and cross-frame reuse can move features with the same function.
public struct MotionField: Sendable, Equatable {
    /// Picture size in pixels and block size (16: H.264 macroblocks).
    public let width: Int, height: Int, blockSize: Int
    public var columns: Int { (width + blockSize - 1) / blockSize }
    public var rows: Int { (height + blockSize - 1) / blockSize }
    /// Per block (row-major), the summed displacement and the number of vectors behind it.
    private var dx: [Float], dy: [Float], weight: [Float]

    /// A field without motion information.
    public init(width: Int, height: Int, blockSize: Int = 16) {
        precondition(width > 0 && height > 0 && blockSize > 0, "motion field of \(width)x\(height), block \(blockSize)")
        self.width = width
        self.height = height
        self.blockSize = blockSize
        let n = ((width + blockSize - 1) / blockSize) * ((height + blockSize - 1) / blockSize)
        dx = [Float](repeating: 0, count: n)
        dy = dx
        weight = dx
    }

    /// The field of one decoded frame's vectors (coordinates in the stored picture).
    public init(vectors: [MotionVector], width: Int, height: Int, blockSize: Int = 16) {
        self.init(width: width, height: height, blockSize: blockSize)
        let cols = columns
        for v in vectors where v.source < 0 {
            guard v.destinationX >= 0, v.destinationX < width, v.destinationY >= 0, v.destinationY < height else { continue }
            let scale = Float(max(v.motionScale, 1))
            // source = destination + motion / scale: the content moved by −motion / scale.
            let mx = -Float(v.motionX) / scale, my = -Float(v.motionY) / scale
            guard mx.isFinite, my.isFinite else { continue }
            // A vector may cover less than a block (H.264 partitions): weight by its share.
            let share = Float(max(1, v.blockWidth * v.blockHeight)) / Float(blockSize * blockSize)
            let b = (v.destinationY / blockSize) * cols + v.destinationX / blockSize
            dx[b] += mx * share
            dy[b] += my * share
            weight[b] += share
        }
    }

    /// Adds the motion of a later frame (same size): the field then spans both steps.
    public mutating func accumulate(_ later: MotionField) {
        guard later.width == width, later.height == height, later.blockSize == blockSize else { return }
        for b in dx.indices {
            let w0 = weight[b], w1 = later.weight[b]
            guard w1 > 0 else { continue }
            // Mean displacement of each step, summed; the weight is the later step's.
            let m0x = w0 > 0 ? dx[b] / w0 : 0, m0y = w0 > 0 ? dy[b] / w0 : 0
            let m1x = later.dx[b] / w1, m1y = later.dy[b] / w1
            weight[b] = w0 > 0 ? min(w0, w1) : w1
            dx[b] = (m0x + m1x) * weight[b]
            dy[b] = (m0y + m1y) * weight[b]
        }
    }

    /// Whether any block has a vector.
    public var hasMotion: Bool { weight.contains { $0 > 0 } }

    /// The mean content displacement over the blocks that intersect the box `[x, y, w, h]`
    /// (pixels) and carry vectors; nil when none does.
    public func displacement(in box: [Int]) -> (dx: Double, dy: Double)? {
        guard box.count == 4, box[2] > 0, box[3] > 0 else { return nil }
        let bx0 = max(0, box[0] / blockSize), by0 = max(0, box[1] / blockSize)
        let bx1 = min(columns - 1, (box[0] + box[2] - 1) / blockSize), by1 = min(rows - 1, (box[1] + box[3] - 1) / blockSize)
        guard bx0 <= bx1, by0 <= by1 else { return nil }
        var sx: Float = 0, sy: Float = 0, sw: Float = 0
        for by in by0...by1 {
            for bx in bx0...bx1 {
                let b = by * columns + bx
                sx += dx[b]; sy += dy[b]; sw += weight[b]
            }
        }
        guard sw > 0 else { return nil }
        return (Double(sx / sw), Double(sy / sw))
    }
}
