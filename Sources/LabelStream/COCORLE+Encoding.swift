import FCCLIP

/// Encoders from row-major masks. None of them builds a transposed copy of the mask: they
/// either walk the mask column by column or, for label maps, find the column-major runs from
/// one row-major pass.
extension COCORLE {
    /// Encodes the mask whose pixel `index = y·width + x` (row-major) is set when
    /// `isSet(index)` is true. Walks columns (strided reads).
    public static func encode(height: Int, width: Int, isSet: (Int) -> Bool) -> COCORLE {
        precondition(height >= 0 && width >= 0, "negative mask size")
        var counts: [Int] = []
        var current = false, run = 0
        for x in 0..<width {
            var i = x
            for _ in 0..<height {
                let v = isSet(i)
                if v != current {
                    counts.append(run)
                    run = 0
                    current = v
                }
                run += 1
                i += width
            }
        }
        counts.append(run)
        return COCORLE(unchecked: height, width: width, counts: counts)
    }

    /// Encodes a bit-packed `BinaryMask` (e.g. an FC-CLIP instance mask).
    public init(mask: BinaryMask) {
        let h = mask.height, w = mask.width
        var counts: [Int] = []
        var current = false, run = 0
        mask.words.withUnsafeBufferPointer { words in
            for x in 0..<w {
                var i = x
                for _ in 0..<h {
                    let v = words[i >> 6] >> UInt64(i & 63) & 1 == 1
                    if v != current {
                        counts.append(run)
                        run = 0
                        current = v
                    }
                    run += 1
                    i += w
                }
            }
        }
        counts.append(run)
        self.init(unchecked: h, width: w, counts: counts)
    }

    /// Encodes a row-major 0/non-zero byte mask.
    public init(bytes: [UInt8], height: Int, width: Int) {
        precondition(bytes.count == height * width, "mask has \(bytes.count) bytes, expected \(height)·\(width)")
        self = bytes.withUnsafeBufferPointer { p in
            COCORLE.encode(height: height, width: width) { p[$0] != 0 }
        }
    }

    /// The RLE of `labels == id` for every value `id` present in the row-major label map
    /// (e.g. panoptic ids: the caller ignores 0 = void), from one pass over the map plus one
    /// pass over its runs — instead of one full pass per label.
    public static func encodeAll(labels: [Int32], height: Int, width: Int) -> [Int32: COCORLE] {
        precondition(labels.count == height * width, "label map has \(labels.count) values, expected \(height)·\(width)")
        let total = height * width
        guard total > 0 else { return [:] }

        // 1. Rows y ≥ 1 where a column changes value, found in row-major order, then grouped by
        //    column with a stable counting sort (so rows stay ascending within a column).
        var columnCount = [Int](repeating: 0, count: width + 1)
        var changeX: [Int32] = [], changeY: [Int32] = []
        labels.withUnsafeBufferPointer { p in
            for y in 1..<max(height, 1) {
                let row = y * width, above = row - width
                for x in 0..<width where p[row + x] != p[above + x] {
                    changeX.append(Int32(x))
                    changeY.append(Int32(y))
                    columnCount[x + 1] += 1
                }
            }
        }
        for x in 0..<width { columnCount[x + 1] += columnCount[x] }  // now column start offsets
        var fill = columnCount
        var rowsByColumn = [Int32](repeating: 0, count: changeY.count)
        for k in changeY.indices {
            let x = Int(changeX[k])
            rowsByColumn[fill[x]] = changeY[k]
            fill[x] += 1
        }

        // 2. Walk the column-major runs (maximal: a column continuing the previous column's last
        //    label extends its run) and hand each to its label's run list.
        var builders: [Int32: RunBuilder] = [:]
        var runLabel = labels[0], runStart = 0
        for x in 0..<width {
            let base = x * height
            let top = labels[x]
            if x > 0 && top != runLabel {
                builders[runLabel, default: RunBuilder()].add(start: runStart, end: base)
                runLabel = top
                runStart = base
            }
            for k in columnCount[x]..<columnCount[x + 1] {
                let y = Int(rowsByColumn[k])
                builders[runLabel, default: RunBuilder()].add(start: runStart, end: base + y)
                runLabel = labels[y * width + x]
                runStart = base + y
            }
        }
        builders[runLabel, default: RunBuilder()].add(start: runStart, end: total)

        var out: [Int32: COCORLE] = [:]
        out.reserveCapacity(builders.count)
        for (label, builder) in builders {
            var counts = builder.counts
            if builder.end < total { counts.append(total - builder.end) }
            out[label] = COCORLE(unchecked: height, width: width, counts: counts)
        }
        return out
    }
}

/// Alternating zero/one runs of one label, built from its (disjoint, ascending) one-runs.
private struct RunBuilder {
    var counts: [Int] = []
    /// Column-major index just past the last one-run.
    var end = 0

    mutating func add(start: Int, end runEnd: Int) {
        counts.append(start - end)
        counts.append(runEnd - start)
        end = runEnd
    }
}
