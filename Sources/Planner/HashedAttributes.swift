import FleetModel

/// A resource's attributes with their `ResourceAttributes.hash`, the hash a step carries and the executor records.
struct HashedAttributes {
    let attributes: ResourceAttributes
    let hash: String

    init(_ attributes: ResourceAttributes) {
        self.attributes = attributes
        self.hash = attributes.hash
    }
}

/// Hashes each distinct attributes value once per plan: most instances share region, tier and version, and at 100,000
/// instances hashing every step's attributes afresh dominates planning time. Lives for one `Planner.plan` call only.
final class HashedAttributesMemo {
    /// What a resource's attributes depend on besides the fleet, which is fixed for one plan.
    enum Key: Hashable {
        case region(String), database(String, Tier, Bool), service(Int), securityRules(String), logGroup(String)
        case role(ResourceKind)
    }

    private var memo: [Key: HashedAttributes] = [:]

    func hashed(_ key: Key, _ attributes: () -> ResourceAttributes) -> HashedAttributes {
        if let known = memo[key] { return known }
        let hashed = HashedAttributes(attributes())
        memo[key] = hashed
        return hashed
    }
}

/// The desired attributes of every resource of one instance. Looked up by position rather than in a dictionary:
/// hashing `ResourceKind` hashes its raw string, ten times per instance of a 100,000-instance plan.
struct DesiredAttributes {
    private let all: [HashedAttributes]

    init(_ desired: DesiredResources) {
        let region = desired.hashed(.network)
        // In the order of `position(_:)`; the region-only resources share one value.
        all = [
            region, desired.hashed(.securityRules), region, region, region, desired.hashed(.logGroup),
            desired.hashed(.database), region, desired.hashed(.executionRole), desired.hashed(.taskRole),
            desired.hashed(.taskDefinition), desired.hashed(.service), desired.hashed(.dnsRecord),
        ]
    }

    subscript(kind: ResourceKind) -> HashedAttributes { all[Self.position(kind)] }

    private static func position(_ kind: ResourceKind) -> Int {
        switch kind {
        case .network: 0
        case .securityRules: 1
        case .key: 2
        case .bucket: 3
        case .secret: 4
        case .logGroup: 5
        case .database: 6
        case .cluster: 7
        case .executionRole: 8
        case .taskRole: 9
        case .taskDefinition: 10
        case .service: 11
        case .dnsRecord: 12
        }
    }
}
