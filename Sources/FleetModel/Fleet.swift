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

    public init(databaseClass: String, storageGB: Int, cpu: Int, memory: Int, replicas: Int) {
        self.databaseClass = databaseClass
        self.storageGB = storageGB
        self.cpu = cpu
        self.memory = memory
        self.replicas = replicas
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

    public init(
        name: String, dns: DNSSettings, image: String, tiers: [String: Tier], releases: ReleaseCatalog,
        channels: [String: Channel], retention: RetentionPeriod = .standard, health: HealthProbe? = nil
    ) {
        self.health = health
        self.name = name
        self.dns = dns
        self.image = image
        self.tiers = tiers
        self.releases = releases
        self.channels = channels
        self.retention = retention
    }
}
