import FleetModel

/// A resource's inputs with their `ContentHash`, the hash a step carries and the executor records.
struct HashedInputs {
    let inputs: [String: String]
    let hash: String

    init(_ inputs: [String: String]) { self.inputs = inputs; self.hash = ContentHash.sha256Hex(inputs) }
}

/// Hashes each distinct inputs value once per plan: most instances share region, tier and version, and at 100,000
/// instances hashing every step's inputs afresh dominates planning time. Lives for one `Planner.plan` call only.
final class HashedInputsMemo {
    /// What a resource's inputs depend on besides the fleet, which is fixed for one plan.
    enum Key: Hashable {
        case region(String), database(String, Tier), taskDefinition(Tier, Version), service(Int)
    }

    private var memo: [Key: HashedInputs] = [:]

    func hashed(_ key: Key, _ inputs: () -> [String: String]) -> HashedInputs {
        if let known = memo[key] { return known }
        let hashed = HashedInputs(inputs())
        memo[key] = hashed
        return hashed
    }
}
