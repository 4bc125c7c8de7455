import Pipeline
import Testing

/// The assignment is optimal: equal in total cost to the best of every injective matching
/// (brute force), on random rectangular matrices up to 6×6.
@Suite struct HungarianAssignmentTests {
    /// A small deterministic generator (xorshift), so failures reproduce.
    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return state
        }
        mutating func unit() -> Double { Double(next() % 1_000_000) / 1_000_000 }
    }

    /// Minimum total cost over every way to match min(r, c) rows and columns one to one.
    static func bruteForce(_ cost: [Double], rows: Int, columns: Int) -> Double {
        var best = Double.infinity
        var usedColumns = [Bool](repeating: false, count: columns)
        var usedRows = [Bool](repeating: false, count: rows)
        let need = min(rows, columns)
        func search(_ row: Int, matched: Int, total: Double) {
            if matched == need { best = min(best, total); return }
            guard row < rows else { return }
            // Skip this row only when enough rows remain.
            if rows - row - 1 >= need - matched { search(row + 1, matched: matched, total: total) }
            usedRows[row] = true
            for j in 0..<columns where !usedColumns[j] {
                usedColumns[j] = true
                search(row + 1, matched: matched + 1, total: total + cost[row * columns + j])
                usedColumns[j] = false
            }
            usedRows[row] = false
        }
        search(0, matched: 0, total: 0)
        return best
    }

    @Test func matchesBruteForceOnRandomMatrices() {
        var g = Generator(state: 0x9E37_79B9_7F4A_7C15)
        for trial in 0..<400 {
            let rows = Int(g.next() % 6) + 1, columns = Int(g.next() % 6) + 1
            // Some trials with many ties (small integer costs), the rest continuous.
            let cost = (0..<(rows * columns)).map { _ in trial % 3 == 0 ? Double(g.next() % 4) : g.unit() * 10 }
            let a = HungarianAssignment.solve(cost: cost, rows: rows, columns: columns)
            #expect(a.count == rows)
            let assigned = a.filter { $0 >= 0 }
            #expect(assigned.count == min(rows, columns), "trial \(trial): every row or every column is matched")
            #expect(Set(assigned).count == assigned.count, "trial \(trial): a column is used twice")
            let total = a.enumerated().reduce(0.0) { $1.element >= 0 ? $0 + cost[$1.offset * columns + $1.element] : $0 }
            let best = Self.bruteForce(cost, rows: rows, columns: columns)
            #expect(abs(total - best) < 1e-9, "trial \(trial) \(rows)x\(columns): \(total) vs optimum \(best)")
        }
    }

    @Test func emptyAndDegenerateMatrices() {
        #expect(HungarianAssignment.solve(cost: [], rows: 0, columns: 3) == [])
        #expect(HungarianAssignment.solve(cost: [], rows: 2, columns: 0) == [-1, -1])
        #expect(HungarianAssignment.solve(cost: [5], rows: 1, columns: 1) == [0])
        // The greedy choice (row 0 → column 0) is not the optimum.
        #expect(HungarianAssignment.solve(cost: [1, 2, 1, 100], rows: 2, columns: 2) == [1, 0])
    }

    @Test func largeForbiddenCostsStayExact() {
        let f = 1e6
        let a = HungarianAssignment.solve(cost: [f, 0.2, 0.1, f, f, f], rows: 3, columns: 2)
        #expect(a[0] == 1 && a[1] == 0)
    }
}
