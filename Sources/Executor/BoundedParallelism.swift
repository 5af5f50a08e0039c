/// Runs `body` over `items` with at most `limit` running at once; results come back in input order.
func mapBounded<Item: Sendable, Result: Sendable>(
    _ items: [Item], limit: Int, _ body: @escaping @Sendable (Item) async -> Result
) async -> [Result] {
    await withTaskGroup(of: (Int, Result).self) { group in
        var pending = items.enumerated().makeIterator()
        func startNext() {
            guard let (index, item) = pending.next() else { return }
            group.addTask { (index, await body(item)) }
        }
        for _ in 0..<max(1, limit) { startNext() }
        var results = [Result?](repeating: nil, count: items.count)
        while let (index, result) = await group.next() {
            results[index] = result
            startNext()
        }
        return results.map { $0! }
    }
}
