/// Restores sequence order to items that finish out of order (post-processing runs frames
/// concurrently; sinks must see them in frame order).
struct ReorderBuffer<Item> {
    private var pending: [Int: Item] = [:]
    private(set) var next = 0

    /// Adds item number `sequence` (0, 1, 2, … each exactly once) and returns every item that is
    /// now in order, oldest first.
    mutating func add(_ item: Item, sequence: Int) -> [Item] {
        pending[sequence] = item
        var ready: [Item] = []
        while let item = pending.removeValue(forKey: next) {
            ready.append(item)
            next += 1
        }
        return ready
    }

    var waiting: Int { pending.count }
}
