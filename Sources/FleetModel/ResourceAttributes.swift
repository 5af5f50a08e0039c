import Synchronization

/// Where a resource lives: the only attribute of the network, key, bucket, secret and cluster.
public struct PlacementAttributes: Hashable, Sendable, Codable {
    public var region: String
    public init(region: String) { self.region = region }
}

/// The database as the tier sizes it.
public struct DatabaseAttributes: Hashable, Sendable, Codable {
    public var region: String
    /// Instance class, e.g. `db.t3.medium`.
    public var databaseClass: String
    /// Allocated storage in GiB; only ever grows.
    public var storageGB: Int
    public init(region: String, databaseClass: String, storageGB: Int) {
        self.region = region
        self.databaseClass = databaseClass
        self.storageGB = storageGB
    }
}

/// What the application's task definition runs.
public struct TaskDefinitionAttributes: Hashable, Sendable, Codable {
    /// Image repository; the container runs `<image>:<version>`.
    public var image: String
    public var version: Version
    /// CPU units and memory (MiB) of the task.
    public var cpu: Int
    public var memory: Int
    public init(image: String, version: Version, cpu: Int, memory: Int) {
        self.image = image
        self.version = version
        self.cpu = cpu
        self.memory = memory
    }

    /// `<image>:<version>`.
    public var imageReference: String { "\(image):\(version)" }
}

/// The application service.
public struct ServiceAttributes: Hashable, Sendable, Codable {
    /// Running tasks wanted; 0 while suspended.
    public var replicas: Int
    public init(replicas: Int) { self.replicas = replicas }
}

/// The instance's DNS name and what it points at.
public struct DNSRecordAttributes: Hashable, Sendable, Codable {
    public var domain: String
    public var zone: String
    public var target: String
    public init(domain: String, zone: String, target: String) {
        self.domain = domain
        self.zone = zone
        self.target = target
    }
}

/// Typed attributes of one resource, desired (`after`) or last applied (`before`, recorded).
public enum ResourceAttributes: Hashable, Sendable {
    case placement(PlacementAttributes)
    case database(DatabaseAttributes)
    case taskDefinition(TaskDefinitionAttributes)
    case service(ServiceAttributes)
    case dnsRecord(DNSRecordAttributes)

    /// Canonical `name → value` form: what the hash covers and what views list. The names match the step inputs of
    /// plan format 1, so hashes recorded by earlier versions stay valid and an upgrade of cloudctl plans no change.
    public var fields: [(name: String, value: PlanJSON)] {
        switch self {
        case .placement(let p):
            [("region", .string(p.region))]
        case .database(let d):
            [
                ("databaseClass", .string(d.databaseClass)), ("region", .string(d.region)),
                ("storageGB", .int(d.storageGB)),
            ]
        case .taskDefinition(let t):
            [
                ("cpu", .int(t.cpu)), ("image", .string(t.image)), ("memory", .int(t.memory)),
                ("version", .string(t.version.description)),
            ]
        case .service(let s):
            [("replicas", .int(s.replicas))]
        case .dnsRecord(let r):
            [("domain", .string(r.domain)), ("target", .string(r.target)), ("zone", .string(r.zone))]
        }
    }

    /// SHA-256 of the canonical encoding: a step's `inputsHash`, recorded on success.
    public var hash: String {
        AttributeHashes.shared.hash(of: self) {
            ContentHash.sha256Hex(fields.map { "\($0.name)=\($0.value.text)" }.joined(separator: "\n"))
        }
    }

    /// The JSON object of the plan format: the fields with typed values.
    public var planJSON: PlanJSON { .object(fields.map { ($0.name, $0.value) }) }

    /// Reads the case `kind` carries from its plan JSON; unknown, missing or mistyped fields are refused.
    public init(planJSON json: PlanJSON, kind: ResourceKind) throws(PlanJSONError) {
        let object = try json.fields(allowed: Self.fieldNames(kind))
        switch kind {
        case .network, .key, .bucket, .secret, .cluster:
            self = .placement(PlacementAttributes(region: try object.string("region")))
        case .database:
            self = .database(
                DatabaseAttributes(
                    region: try object.string("region"), databaseClass: try object.string("databaseClass"),
                    storageGB: try object.int("storageGB")))
        case .taskDefinition:
            self = .taskDefinition(
                TaskDefinitionAttributes(
                    image: try object.string("image"), version: try object.version("version"),
                    cpu: try object.int("cpu"),
                    memory: try object.int("memory")))
        case .service:
            self = .service(ServiceAttributes(replicas: try object.int("replicas")))
        case .dnsRecord:
            self = .dnsRecord(
                DNSRecordAttributes(
                    domain: try object.string("domain"), zone: try object.string("zone"),
                    target: try object.string("target")))
        }
    }

    private static func fieldNames(_ kind: ResourceKind) -> [String] {
        switch kind {
        case .network, .key, .bucket, .secret, .cluster: ["region"]
        case .database: ["region", "databaseClass", "storageGB"]
        case .taskDefinition: ["image", "version", "cpu", "memory"]
        case .service: ["replicas"]
        case .dnsRecord: ["domain", "zone", "target"]
        }
    }

    public var region: String? {
        switch self {
        case .placement(let p): p.region
        case .database(let d): d.region
        case .taskDefinition, .service, .dnsRecord: nil
        }
    }

    public var database: DatabaseAttributes? {
        if case .database(let d) = self { return d }
        return nil
    }

    public var taskDefinition: TaskDefinitionAttributes? {
        if case .taskDefinition(let t) = self { return t }
        return nil
    }

    public var service: ServiceAttributes? {
        if case .service(let s) = self { return s }
        return nil
    }

    public var dnsRecord: DNSRecordAttributes? {
        if case .dnsRecord(let r) = self { return r }
        return nil
    }

    /// Human summary for status and plans: "db.t3.small, 50 GB", "ghcr.io/app:5.2.3, 512 CPU, 1024 MiB".
    public var summary: String {
        switch self {
        case .placement(let p): p.region
        case .database(let d): "\(d.databaseClass), \(d.storageGB) GB"
        case .taskDefinition(let t): "\(t.imageReference), \(t.cpu) CPU units, \(t.memory) MiB"
        case .service(let s): s.replicas == 1 ? "1 replica" : "\(s.replicas) replicas"
        case .dnsRecord(let r): "\(r.domain) → \(r.target)"
        }
    }
}

/// Hashes of recently seen attributes: a plan of 100,000 instances repeats a few dozen distinct values, and reading it
/// back checks every step's hash. Bounded, so a long-running process does not grow it without end.
final class AttributeHashes: Sendable {
    static let shared = AttributeHashes()
    private let known = Mutex<[ResourceAttributes: String]>([:])
    private static let capacity = 4096

    func hash(of attributes: ResourceAttributes, _ compute: () -> String) -> String {
        if let hit = known.withLock({ $0[attributes] }) { return hit }
        let hash = compute()
        known.withLock { known in
            if known.count >= Self.capacity { known.removeAll(keepingCapacity: true) }
            known[attributes] = hash
        }
        return hash
    }
}
