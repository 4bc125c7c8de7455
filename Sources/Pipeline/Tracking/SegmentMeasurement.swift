/// What the tracker needs of one frame's panoptic map, from one pass over it: each segment's
/// box at full resolution, and its pixels on a coarse sampling grid (every `stride`-th pixel of
/// every `stride`-th row), where overlaps are counted.
///
/// Segments are addressed by their position `k` in the list given; ids without a segment count
/// as background.
struct SegmentMeasurement {
    let width: Int, height: Int
    /// Grid spacing in pixels and grid size.
    let stride: Int, gridWidth: Int, gridHeight: Int
    /// Segment index per grid cell, -1 for none.
    var grid: [Int32]
    /// Per segment: `[x, y, w, h]` at full resolution (zeros when it has no pixel).
    var boxes: [[Int]]
    /// Per segment: its grid cells, each packed as `gx | gy << 16`.
    var points: [[UInt32]]
    /// Per segment: mean position of its grid cells, in pixels (nil without cells).
    var centroids: [(x: Double, y: Double)?]

    /// The grid spacing for a picture: about 200,000 samples at most (2 at 720p, 3 at 1080p, 1
    /// for small pictures).
    static func stride(width: Int, height: Int) -> Int {
        var s = 1
        while (width / s) * (height / s) > 200_000 { s += 1 }
        return s
    }

    init(ids: [Int32], width w: Int, height h: Int, segmentIDs: [Int32], stride: Int? = nil) {
        precondition(ids.count == w * h, "panoptic map has \(ids.count) ids for \(w)x\(h)")
        width = w
        height = h
        let s = stride ?? Self.stride(width: w, height: h)
        self.stride = s
        gridWidth = (w + s - 1) / s
        gridHeight = (h + s - 1) / s
        let n = segmentIDs.count
        // id → segment index through a table (ids of a panoptic map are small), or a dictionary.
        let maxID = Int(segmentIDs.max() ?? 0)
        var table: [Int32] = []
        var dictionary: [Int32: Int32] = [:]
        let useTable = maxID < 1 << 20
        if useTable {
            table = [Int32](repeating: -1, count: maxID + 1)
            for (k, id) in segmentIDs.enumerated() where id >= 0 { table[Int(id)] = Int32(k) }
        } else {
            for (k, id) in segmentIDs.enumerated() { dictionary[id] = Int32(k) }
        }
        func index(_ id: Int32) -> Int32 {
            if useTable { return id >= 0 && Int(id) <= maxID ? table[Int(id)] : -1 }
            return dictionary[id] ?? -1
        }

        var minX = [Int](repeating: Int.max, count: n), maxX = [Int](repeating: -1, count: n)
        var minY = [Int](repeating: Int.max, count: n), maxY = [Int](repeating: -1, count: n)
        var grid = [Int32](repeating: -1, count: gridWidth * gridHeight)
        let gw = gridWidth
        ids.withUnsafeBufferPointer { p in
            grid.withUnsafeMutableBufferPointer { g in
                for y in 0..<h {
                    let row = p.baseAddress! + y * w
                    let onGrid = y % s == 0
                    var x = 0
                    // Runs of one id: the box is updated once per run.
                    while x < w {
                        let id = row[x]
                        var end = x + 1
                        while end < w && row[end] == id { end += 1 }
                        let k = Int(index(id))
                        if k >= 0 {
                            if x < minX[k] { minX[k] = x }
                            if end - 1 > maxX[k] { maxX[k] = end - 1 }
                            if y < minY[k] { minY[k] = y }
                            maxY[k] = y
                            if onGrid {
                                let gy = y / s
                                var gx = (x + s - 1) / s
                                while gx * s < end {
                                    g[gy * gw + gx] = Int32(k)
                                    gx += 1
                                }
                            }
                        }
                        x = end
                    }
                }
            }
        }
        boxes = (0..<n).map { k in maxX[k] < 0 ? [0, 0, 0, 0] : [minX[k], minY[k], maxX[k] - minX[k] + 1, maxY[k] - minY[k] + 1] }
        // Bucket the grid cells by segment (row by row: no divisions).
        var counts = [Int](repeating: 0, count: n)
        var sumX = [Int](repeating: 0, count: n), sumY = [Int](repeating: 0, count: n)
        let gh = gridHeight
        grid.withUnsafeBufferPointer { g in
            for gy in 0..<gh {
                let row = g.baseAddress! + gy * gw
                for gx in 0..<gw {
                    let k = Int(row[gx])
                    if k >= 0 {
                        counts[k] += 1
                        sumX[k] += gx
                        sumY[k] += gy
                    }
                }
            }
        }
        var points = counts.map { [UInt32](repeating: 0, count: $0) }
        var filled = [Int](repeating: 0, count: n)
        grid.withUnsafeBufferPointer { g in
            for gy in 0..<gh {
                let row = g.baseAddress! + gy * gw
                var gx = 0
                while gx < gw {
                    let k = Int(row[gx])
                    guard k >= 0 else { gx += 1; continue }
                    // A run of one segment on this grid row, written in one go.
                    var end = gx + 1
                    while end < gw && row[end] == row[gx] { end += 1 }
                    let start = filled[k]
                    points[k].withUnsafeMutableBufferPointer { p in
                        for x in gx..<end { p[start + x - gx] = UInt32(x) | UInt32(gy) << 16 }
                    }
                    filled[k] = start + end - gx
                    gx = end
                }
            }
        }
        self.grid = grid
        self.points = points
        var centroids: [(x: Double, y: Double)?] = []
        for k in 0..<n {
            guard counts[k] > 0 else { centroids.append(nil); continue }
            let c = Double(counts[k]), scale = Double(s)
            let x: Double = Double(sumX[k]) / c * scale
            let y: Double = Double(sumY[k]) / c * scale
            centroids.append((x, y))
        }
        self.centroids = centroids
    }

    /// How many of `points` (another frame's grid cells of the same grid), moved by
    /// (`dx`, `dy`) grid cells, fall on each segment; `into` is reset and filled (count n).
    func overlaps(of points: [UInt32], dx: Int, dy: Int, into counts: inout [Int]) {
        for k in counts.indices { counts[k] = 0 }
        let gw = gridWidth, gh = gridHeight
        grid.withUnsafeBufferPointer { g in
            counts.withUnsafeMutableBufferPointer { c in
                for p in points {
                    let x = Int(p & 0xffff) + dx, y = Int(p >> 16) + dy
                    guard x >= 0, x < gw, y >= 0, y < gh else { continue }
                    let k = g[y * gw + x]
                    if k >= 0 { c[Int(k)] += 1 }
                }
            }
        }
    }
}
