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
    /// Days of automated backups (the tier's, default 7).
    public var backupRetentionDays: Int
    /// On while the instance is `protected`: the cloud refuses to delete the database.
    public var deletionProtection: Bool
    public init(
        region: String, databaseClass: String, storageGB: Int, backupRetentionDays: Int = Tier.standardBackupDays,
        deletionProtection: Bool = false
    ) {
        self.region = region
        self.databaseClass = databaseClass
        self.storageGB = storageGB
        self.backupRetentionDays = backupRetentionDays
        self.deletionProtection = deletionProtection
    }

    /// True when `other` differs only in backups or protection: a change that interrupts nothing.
    public func sameSize(as other: DatabaseAttributes) -> Bool {
        databaseClass == other.databaseClass && storageGB == other.storageGB && region == other.region
    }
}

/// The instance's log group: how long its events are kept.
public struct LogGroupAttributes: Hashable, Sendable, Codable {
    public var region: String
    /// Retention of log events in days (the fleet's `logRetention`, default 30).
    public var retentionDays: Int
    public init(region: String, retentionDays: Int) {
        self.region = region
        self.retentionDays = retentionDays
    }
}

/// What an instance's IAM role may do, as named grants (`secret:read`, `bucket:read-write` …); the provider turns
/// them into a policy document naming only this instance's resources. Changing what a grant means changes its name,
/// so existing roles get a planned update.
public struct RoleAttributes: Hashable, Sendable, Codable {
    /// Sorted grant names.
    public var grants: [String]
    /// The image repository the role may pull from (execution role only; "" for the task role).
    public var image: String
    public init(grants: [String], image: String = "") {
        self.grants = grants.sorted()
        self.image = image
    }

    /// Grants of the execution role: ECS pulls the image, reads the database secret (decrypting it with the instance
    /// key) and writes the container logs.
    public static func execution(image: String) -> RoleAttributes {
        RoleAttributes(grants: ["image:pull", "logs:write", "secret:read"], image: image)
    }

    /// Grants of the task role: the application reads and writes its bucket's objects and uses its key.
    public static let task = RoleAttributes(grants: ["bucket:read-write", "key:use"])
}

/// Who may reach the application and the database.
public struct SecurityRulesAttributes: Hashable, Sendable, Codable {
    public var region: String
    /// Where the application accepts traffic from: security group ids and IPv4 CIDRs (the fleet's `ingress`, sorted);
    /// none means nothing reaches it from outside its own network.
    public var ingress: [String]
    /// The port the application listens on and the ingress may reach.
    public var appPort: Int
    /// PostgreSQL's port, open only to the application's security group.
    public var databasePort: Int
    public init(
        region: String, ingress: [String], appPort: Int = Self.applicationPort,
        databasePort: Int = Self.postgresPort
    ) {
        self.region = region
        // Sorted, like grants: the order of `ingress` in the fleet file means nothing to EC2, so a scan that reads the
        // rules back compares equal.
        self.ingress = ingress.sorted()
        self.appPort = appPort
        self.databasePort = databasePort
    }

    /// The port the application container listens on.
    public static let applicationPort = 8080
    public static let postgresPort = 5432
}

/// What the application's task definition runs.
public struct TaskDefinitionAttributes: Hashable, Sendable, Codable {
    /// Image repository; the container runs `<image>:<version>`.
    public var image: String
    public var version: Version
    /// CPU units and memory (MiB) of the task.
    public var cpu: Int
    public var memory: Int
    /// Environment values the files decide (instance, URL, region, version, features). The provider adds those only
    /// the cloud knows (database endpoint, bucket, key id) and the password from the secret, never written here.
    public var environment: [String: String]
    public init(image: String, version: Version, cpu: Int, memory: Int, environment: [String: String] = [:]) {
        self.image = image
        self.version = version
        self.cpu = cpu
        self.memory = memory
        self.environment = environment
    }

    /// `<image>:<version>`.
    public var imageReference: String { "\(image):\(version)" }

    /// True when `other` runs the same image and size: only the environment differs.
    public func runsTheSame(as other: TaskDefinitionAttributes) -> Bool {
        image == other.image && version == other.version && cpu == other.cpu && memory == other.memory
    }
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
    case logGroup(LogGroupAttributes)
    case role(RoleAttributes)
    case securityRules(SecurityRulesAttributes)

    /// Canonical `name → value` form: what the hash covers and what views list. The names match the step inputs of
    /// plan format 1, so hashes recorded by earlier versions stay valid and an upgrade of cloudctl plans no change.
    public var fields: [(name: String, value: PlanJSON)] {
        switch self {
        case .placement(let p):
            [("region", .string(p.region))]
        case .database(let d):
            [
                ("backupRetentionDays", .int(d.backupRetentionDays)), ("databaseClass", .string(d.databaseClass)),
                ("deletionProtection", .bool(d.deletionProtection)), ("region", .string(d.region)),
                ("storageGB", .int(d.storageGB)),
            ]
        case .taskDefinition(let t):
            [
                ("cpu", .int(t.cpu)),
                ("environment", .object(t.environment.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })),
                ("image", .string(t.image)), ("memory", .int(t.memory)), ("version", .string(t.version.description)),
            ]
        case .logGroup(let l):
            [("region", .string(l.region)), ("retentionDays", .int(l.retentionDays))]
        case .role(let r):
            r.image.isEmpty
                ? [("grants", .array(r.grants.map { .string($0) }))]
                : [("grants", .array(r.grants.map { .string($0) })), ("image", .string(r.image))]
        case .securityRules(let s):
            [
                ("appPort", .int(s.appPort)), ("databasePort", .int(s.databasePort)),
                ("ingress", .array(s.ingress.map { .string($0) })), ("region", .string(s.region)),
            ]
        case .service(let s):
            [("replicas", .int(s.replicas))]
        case .dnsRecord(let r):
            [("domain", .string(r.domain)), ("target", .string(r.target)), ("zone", .string(r.zone))]
        }
    }

    /// SHA-256 of the canonical encoding: a step's `inputsHash`, recorded on success.
    public var hash: String { AttributeHashes.shared.hash(of: self) { unsharedHash } }

    /// `hash` computed without the process-wide memo: for reading saved plans, which memoize whole steps themselves
    /// and would otherwise fill the memo with one-off values (and contend for its lock with the planner).
    public var unsharedHash: String {
        ContentHash.sha256Hex(fields.map { "\($0.name)=\($0.value.text)" }.joined(separator: "\n"))
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
            // Attributes recorded before backups and protection were managed read as the cloud's old defaults (no
            // protection, RDS's 1 day), so the next plan shows the change; a saved plan lacking them differs from a
            // fresh one and is refused.
            self = .database(
                DatabaseAttributes(
                    region: try object.string("region"), databaseClass: try object.string("databaseClass"),
                    storageGB: try object.int("storageGB"),
                    backupRetentionDays: object.has("backupRetentionDays") ? try object.int("backupRetentionDays") : 1,
                    deletionProtection: object.has("deletionProtection") ? try object.bool("deletionProtection") : false
                ))
        case .taskDefinition:
            self = .taskDefinition(
                TaskDefinitionAttributes(
                    image: try object.string("image"), version: try object.version("version"),
                    cpu: try object.int("cpu"),
                    memory: try object.int("memory"),
                    environment: object.has("environment") ? try object.nested("environment", Self.strings) : [:]))
        case .logGroup:
            self = .logGroup(
                LogGroupAttributes(region: try object.string("region"), retentionDays: try object.int("retentionDays")))
        case .executionRole, .taskRole:
            self = .role(
                RoleAttributes(
                    grants: try object.array("grants").enumerated().map { index, value throws(PlanJSONError) in
                        guard case .string(let grant) = value else {
                            throw PlanJSONError(path: ["grants", "[\(index)]"], "expected a string")
                        }
                        return grant
                    }, image: try object.optionalString("image") ?? ""))
        case .securityRules:
            self = .securityRules(
                SecurityRulesAttributes(
                    region: try object.string("region"),
                    ingress: try object.array("ingress").enumerated().map { index, value throws(PlanJSONError) in
                        guard case .string(let source) = value else {
                            throw PlanJSONError(path: ["ingress", "[\(index)]"], "expected a string")
                        }
                        return source
                    }, appPort: try object.int("appPort"), databasePort: try object.int("databasePort")))
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
        case .database: ["region", "databaseClass", "storageGB", "backupRetentionDays", "deletionProtection"]
        case .taskDefinition: ["image", "version", "cpu", "memory", "environment"]
        case .logGroup: ["region", "retentionDays"]
        case .executionRole, .taskRole: ["grants", "image"]
        case .securityRules: ["region", "ingress", "appPort", "databasePort"]
        case .service: ["replicas"]
        case .dnsRecord: ["domain", "zone", "target"]
        }
    }

    public var region: String? {
        switch self {
        case .placement(let p): p.region
        case .database(let d): d.region
        case .logGroup(let l): l.region
        case .securityRules(let s): s.region
        case .taskDefinition, .service, .dnsRecord, .role: nil
        }
    }

    /// An object of string values (the environment).
    private static func strings(_ json: PlanJSON) throws(PlanJSONError) -> [String: String] {
        guard case .members(let members) = json else { throw PlanJSONError("expected an object") }
        var values: [String: String] = [:]
        for member in members {
            guard case .string(let value) = member.value else {
                throw PlanJSONError(path: [member.key], "expected a string")
            }
            values[member.key] = value
        }
        return values
    }

    public var logGroup: LogGroupAttributes? {
        if case .logGroup(let l) = self { return l }
        return nil
    }

    public var role: RoleAttributes? {
        if case .role(let r) = self { return r }
        return nil
    }

    public var securityRules: SecurityRulesAttributes? {
        if case .securityRules(let s) = self { return s }
        return nil
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
        case .logGroup(let l): "events kept \(l.retentionDays) days"
        case .role(let r): r.grants.joined(separator: ", ")
        case .securityRules(let s):
            "app port \(s.appPort) from " + (s.ingress.isEmpty ? "nothing outside" : s.ingress.joined(separator: ", "))
                + ", database port \(s.databasePort) from the app only"
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
