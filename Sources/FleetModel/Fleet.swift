/// A size tier: what `size` in an instance file buys.
public struct Tier: Hashable, Sendable, Codable {
    /// RDS instance class, e.g. `db.t3.medium`.
    public var databaseClass: String
    /// Allocated database storage in GiB; may only grow for a running instance.
    public var storageGB: Int
    /// ECS task CPU units (256, 512, 1024, 2048, 4096).
    public var cpu: Int
    /// ECS task memory in MiB.
    public var memory: Int
    /// Desired running tasks of the service while active.
    public var replicas: Int
    /// Days the database keeps automated backups (`backupRetentionDays`, default 7).
    public var backupRetentionDays: Int

    public init(
        databaseClass: String, storageGB: Int, cpu: Int, memory: Int, replicas: Int,
        backupRetentionDays: Int = Tier.standardBackupDays
    ) {
        self.databaseClass = databaseClass
        self.storageGB = storageGB
        self.cpu = cpu
        self.memory = memory
        self.replicas = replicas
        self.backupRetentionDays = backupRetentionDays
    }

    /// Automated backup days when a tier names none.
    public static let standardBackupDays = 7
    /// Accepted `backupRetentionDays`: RDS keeps 1 to 35 days (0 would turn automated backups off).
    public static let allowedBackupDays = 1...35
}

/// How long CloudWatch keeps an instance's log events (`logRetention`, whole days CloudWatch accepts).
public struct LogRetention: Hashable, Sendable, Codable, CustomStringConvertible {
    public var days: Int
    public init(days: Int) { self.days = days }
    /// 30 days when `_fleet.json` has no `logRetention`.
    public static let standard = LogRetention(days: 30)
    /// The retention periods CloudWatch Logs accepts.
    public static let allowedDays = [
        1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
    ]

    /// `"30d"` → 30 days; nil for anything CloudWatch does not accept.
    public init?(parsing text: String) {
        guard text.hasSuffix("d"), text.first?.isNumber == true, let days = Int(text.dropLast()),
            Self.allowedDays.contains(days)
        else { return nil }
        self.days = days
    }

    /// The shortest period CloudWatch accepts that keeps events at least `days` (a teardown keeps the log group's
    /// events for the fleet's `retention`).
    public static func atLeast(_ days: Int) -> LogRetention {
        LogRetention(days: allowedDays.first { $0 >= days } ?? allowedDays.last!)
    }

    public var description: String { "\(days)d" }
}

/// Where an instance's application accepts traffic from: a security group id (`sg-…`) or an IPv4 CIDR.
public enum IngressSource: Hashable, Sendable, Codable, CustomStringConvertible {
    case securityGroup(String)
    case cidr(String)

    /// A security group id (`sg-` and 8 or 17 lowercase hex digits) or a canonical IPv4 CIDR with a prefix of at
    /// least /8 (host bits zero); nil otherwise. Anything broader is as good as open to the internet.
    public init?(parsing text: String) {
        if text.hasPrefix("sg-") {
            let hex = text.dropFirst(3)
            guard hex.count == 8 || hex.count == 17, hex.allSatisfy({ $0.isHexDigit && !$0.isUppercase }) else {
                return nil
            }
            self = .securityGroup(text)
            return
        }
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let prefix = Int(parts[1]), String(prefix) == parts[1], Self.prefixes.contains(prefix)
        else { return nil }
        let octets = parts[0].split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4 else { return nil }
        var address: UInt32 = 0
        for octet in octets {
            guard let value = UInt8(octet), String(value) == octet else { return nil }
            address = address << 8 | UInt32(value)
        }
        let hostBits = prefix == 32 ? 0 : (UInt32.max >> UInt32(prefix))
        guard address & hostBits == 0 else { return nil }
        self = .cidr(text)
    }

    /// Accepted CIDR prefix lengths.
    public static let prefixes = 8...32

    public var description: String {
        switch self {
        case .securityGroup(let id): id
        case .cidr(let cidr): cidr
        }
    }
}

/// One release in the catalog. `jumpFrom` allows a direct upgrade to this release from that version or newer.
public struct Release: Hashable, Sendable, Codable {
    public var version: Version
    public var jumpFrom: Version?
    public init(version: Version, jumpFrom: Version? = nil) {
        self.version = version
        self.jumpFrom = jumpFrom
    }
}

/// The releases an instance may run, oldest first.
public struct ReleaseCatalog: Hashable, Sendable, Codable {
    public private(set) var releases: [Release]
    public init(_ releases: [Release]) { self.releases = releases.sorted { $0.version < $1.version } }
    public func contains(_ v: Version) -> Bool { releases.contains { $0.version == v } }
    public func release(_ v: Version) -> Release? { releases.first { $0.version == v } }
}

/// A rollout wave: which instances of a channel go together, in order.
public struct Wave: Hashable, Sendable, Codable {
    public var name: String
    /// Instance types in this wave (e.g. only `internal`); nil means any type.
    public var types: [InstanceType]?
    /// Share of the channel's remaining instances (by stable hash of the name), 1…100; nil means all of them.
    public var percent: Int?
    /// Time the wave must stay healthy after its last instance passed its health check before the next wave starts.
    public var bake: GateDuration?
    /// Failed instances the wave tolerates; more halts the rollout (nil: none).
    public var maxFailures: FailureBudget?
    /// A person must approve (`rollout advance --approve`) before the wave starts.
    public var approval: Bool
    public init(
        name: String, types: [InstanceType]? = nil, percent: Int? = nil, bake: GateDuration? = nil,
        maxFailures: FailureBudget? = nil, approval: Bool = false
    ) {
        self.name = name
        self.types = types
        self.percent = percent
        self.bake = bake
        self.maxFailures = maxFailures
        self.approval = approval
    }
}

/// A release channel. A paused channel is never bulk-upgraded.
public struct Channel: Hashable, Sendable, Codable {
    public var paused: Bool
    public var waves: [Wave]
    public init(paused: Bool = false, waves: [Wave] = []) {
        self.paused = paused
        self.waves = waves
    }
}

/// DNS settings: the zone instance domains live in and what their records point at.
public struct DNSSettings: Hashable, Sendable, Codable {
    public var zone: String
    /// CNAME target of every instance record (the fleet's ingress).
    public var target: String
    public init(zone: String, target: String) {
        self.zone = zone
        self.target = target
    }
}

/// How long data a teardown archives (final database snapshot, bucket objects) must stay restorable, in whole days.
public struct RetentionPeriod: Hashable, Sendable, Codable, CustomStringConvertible {
    public var days: Int
    public init(days: Int) { self.days = days }
    /// 90 days when `_fleet.json` has no `retention`.
    public static let standard = RetentionPeriod(days: 90)
    /// Accepted `retention` values: 1 day to 10 years.
    public static let allowedDays = 1...3650

    /// `"90d"` → 90 days; nil for anything else (another unit, zero, out of range).
    public init?(parsing text: String) {
        guard text.hasSuffix("d"), let days = Int(text.dropLast()), text.first?.isNumber == true,
            Self.allowedDays.contains(days)
        else { return nil }
        self.days = days
    }

    public var description: String { "\(days)d" }
}

/// The fleet: `Instances/_fleet.json`.
public struct Fleet: Hashable, Sendable, Codable {
    /// Fleet name; part of every tag and resource name.
    public var name: String
    public var dns: DNSSettings
    /// Container image repository; the task runs `<image>:<version>`.
    public var image: String
    public var tiers: [String: Tier]
    public var releases: ReleaseCatalog
    public var channels: [String: Channel]
    /// What a teardown keeps restorable, and for how long (`retention`, default 90 days).
    public var retention: RetentionPeriod
    /// The application's health endpoint, probed by every health check after the deployment rolled out.
    public var health: HealthProbe?
    /// Where every instance's application accepts traffic from (`ingress`); empty: from nothing outside.
    public var ingress: [IngressSource]
    /// How long instance log events are kept (`logRetention`, default 30 days).
    public var logRetention: LogRetention

    public init(
        name: String, dns: DNSSettings, image: String, tiers: [String: Tier], releases: ReleaseCatalog,
        channels: [String: Channel], retention: RetentionPeriod = .standard, health: HealthProbe? = nil,
        ingress: [IngressSource] = [], logRetention: LogRetention = .standard
    ) {
        self.health = health
        self.ingress = ingress
        self.logRetention = logRetention
        self.name = name
        self.dns = dns
        self.image = image
        self.tiers = tiers
        self.releases = releases
        self.channels = channels
        self.retention = retention
    }
}
