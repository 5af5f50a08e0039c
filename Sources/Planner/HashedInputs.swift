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

/// The desired inputs of every resource of one instance. Looked up by position rather than in a dictionary: hashing
/// `ResourceKind` hashes its raw string, ten times per instance of a 100,000-instance plan.
struct ResourceInputs {
    private let all: [HashedInputs]

    init(_ desired: DesiredResources) {
        let region = desired.hashed(.network)
        // In the order of `position(_:)`; the region-only resources share one value.
        all = [region, region, region, region, desired.hashed(.database), region,
               desired.hashed(.taskDefinition), desired.hashed(.service), desired.hashed(.dnsRecord)]
    }

    subscript(kind: ResourceKind) -> HashedInputs { all[Self.position(kind)] }

    private static func position(_ kind: ResourceKind) -> Int {
        switch kind {
        case .network: 0
        case .key: 1
        case .bucket: 2
        case .secret: 3
        case .database: 4
        case .cluster: 5
        case .taskDefinition: 6
        case .service: 7
        case .dnsRecord: 8
        }
    }
}
