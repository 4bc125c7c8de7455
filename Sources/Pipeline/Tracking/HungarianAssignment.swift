/// Minimum-cost assignment (Kuhn–Munkres, the O(n³) shortest-augmenting-path form with row and
/// column potentials) of a rectangular cost matrix.
///
/// Every row is matched to a distinct column when there are at least as many columns as rows;
/// otherwise every column to a distinct row. The matrix is padded to a square with zeros
/// internally, so a padded match means "unmatched". Costs must be finite; model "not allowed"
/// with a large finite cost and drop such pairs afterwards (`SegmentTracker` does).
public enum HungarianAssignment {
    /// The column assigned to each row (-1: none), minimising the sum of the assigned costs.
    ///
    /// - Parameters:
    ///   - cost: row-major `rows × columns` costs.
    public static func solve(cost: [Double], rows: Int, columns: Int) -> [Int] {
        precondition(rows >= 0 && columns >= 0 && cost.count == rows * columns,
                     "cost matrix has \(cost.count) entries, expected \(rows)·\(columns)")
        guard rows > 0, columns > 0 else { return [Int](repeating: -1, count: rows) }
        let n = max(rows, columns)
        func c(_ i: Int, _ j: Int) -> Double { i < rows && j < columns ? cost[i * columns + j] : 0 }
        // 1-based potentials u (rows), v (columns); match[j] = row matched to column j (0: none).
        var u = [Double](repeating: 0, count: n + 1), v = [Double](repeating: 0, count: n + 1)
        var match = [Int](repeating: 0, count: n + 1), way = [Int](repeating: 0, count: n + 1)
        var minv = [Double](repeating: 0, count: n + 1), used = [Bool](repeating: false, count: n + 1)
        for i in 1...n {
            match[0] = i
            var j0 = 0
            for j in 0...n { minv[j] = .infinity; used[j] = false }
            repeat {
                used[j0] = true
                let i0 = match[j0]
                var delta = Double.infinity, j1 = 0
                for j in 1...n where !used[j] {
                    let reduced = c(i0 - 1, j - 1) - u[i0] - v[j]
                    if reduced < minv[j] { minv[j] = reduced; way[j] = j0 }
                    if minv[j] < delta { delta = minv[j]; j1 = j }
                }
                for j in 0...n {
                    if used[j] { u[match[j]] += delta; v[j] -= delta } else { minv[j] -= delta }
                }
                j0 = j1
            } while match[j0] != 0
            // Augment along the path back to the virtual column 0.
            repeat {
                let j1 = way[j0]
                match[j0] = match[j1]
                j0 = j1
            } while j0 != 0
        }
        var assignment = [Int](repeating: -1, count: rows)
        for j in 1...n where match[j] >= 1 && match[j] <= rows && j <= columns {
            assignment[match[j] - 1] = j - 1
        }
        return assignment
    }
}
