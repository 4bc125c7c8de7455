extension Vocabulary {
    /// The built-in vocabulary `word` most likely means, when it looks like a misspelt built-in
    /// name rather than a class: a single word (letters, digits, `-`, `_`) that is not itself a
    /// built-in name, and that either is within `max(1, min(3, length / 2))` edits of one (`cocoo`,
    /// `ade150`, `cityscape`) or, with at least 3 characters, begins one (`ade`, `pascal`).
    /// nil otherwise.
    public static func builtinSuggestion(for word: String) -> String? {
        let key = word.lowercased()
        guard key.count >= 2, !isBuiltinName(key),
              key.unicodeScalars.allSatisfy({ ($0.properties.isAlphabetic && $0.isASCII) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" })
        else { return nil }
        let limit = max(1, min(3, key.count / 2))
        let scored = builtinNames.map { ($0, editDistance(key, $0)) }
        if let best = scored.filter({ $0.1 <= limit }).min(by: { $0.1 < $1.1 }) { return best.0 }
        if key.count >= 3, let prefixed = builtinNames.first(where: { $0.hasPrefix(key) }) { return prefixed }
        return nil
    }

    /// Levenshtein distance between `a` and `b`, counting a swap of two neighbours as one edit.
    public static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
        var table = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { table[i][0] = i }
        for j in 0...b.count { table[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                var best = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { best = min(best, table[i - 2][j - 2] + 1) }
                table[i][j] = best
            }
        }
        return table[a.count][b.count]
    }
}
