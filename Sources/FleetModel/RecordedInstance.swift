/// What the store knows about one resource: its cloud id, the attributes last applied and their hash.
public struct RecordedResource: Hashable, Sendable {
    public var cloudId: String
    public var inputsHash: String
    /// Nil for records written before attributes were kept (the hash alone still says whether they changed).
    public var attributes: ResourceAttributes?
    /// The instance's labels as last applied to this resource as tags: the only tag keys cloudctl may remove besides
    /// its own. Empty for records from before labels were recorded (no released version applied labels).
    public var labels: [String: String]
    public init(
        cloudId: String, inputsHash: String, attributes: ResourceAttributes? = nil, labels: [String: String] = [:]
    ) {
        self.cloudId = cloudId
        self.inputsHash = inputsHash
        self.attributes = attributes
        self.labels = labels
    }
}

/// Recorded (observed) state of one instance, as kept in SQLite by the executor.
public struct RecordedInstance: Hashable, Sendable {
    public var name: String
    public var region: String
    /// Version the service last deployed successfully; nil before the first deploy.
    public var runningVersion: Version?
    public var state: InstanceState
    /// Domain the DNS record currently points from; nil before it exists.
    public var domain: String?
    /// Database storage currently allocated (GiB), to refuse a shrink.
    public var storageGB: Int?
    /// Subnet and security group ids the network step last reported; not part of the fingerprint (the planner never
    /// reads them).
    public var network: NetworkIds?
    public var resources: [ResourceKind: RecordedResource]
    /// True once one apply completed every step of the instance: until then nothing serves customers, so finishing
    /// its provisioning disrupts no one.
    public var provisioned: Bool
    /// `protected` as last applied: lifting it must be applied before a teardown is planned.
    public var protected: Bool

    public init(
        name: String, region: String, runningVersion: Version? = nil, state: InstanceState = .active,
        domain: String? = nil, storageGB: Int? = nil, resources: [ResourceKind: RecordedResource] = [:],
        provisioned: Bool = true, protected: Bool = false, network: NetworkIds? = nil
    ) {
        self.name = name
        self.region = region
        self.runningVersion = runningVersion
        self.state = state
        self.domain = domain
        self.storageGB = storageGB
        self.resources = resources
        self.provisioned = provisioned
        self.protected = protected
        self.network = network
    }

    /// Fingerprint recorded in a plan for an instance with no recorded state.
    public static let noneFingerprint = "none"

    /// Stable hash of everything the planner reads from this record.
    public var fingerprint: String {
        var parts = [
            "name=\(name)", "region=\(region)", "version=\(runningVersion?.description ?? "")",
            "state=\(state.rawValue)", "domain=\(domain ?? "")", "storage=\(storageGB.map(String.init) ?? "")",
            "provisioned=\(provisioned)", "protected=\(protected)",
        ]
        for kind in ResourceKind.allCases {
            guard let r = resources[kind] else { continue }
            parts.append("\(kind.rawValue)=\(r.cloudId)#\(r.inputsHash)")
            // Only when some were applied, so records without labels keep the fingerprint they had before.
            if !r.labels.isEmpty {
                parts.append(
                    "\(kind.rawValue).labels="
                        + r.labels.keys.sorted().map { "\($0)=\(r.labels[$0]!)" }
                        .joined(separator: "\u{1F}"))
            }
        }
        return ContentHash.sha256Hex(parts.joined(separator: "\n"))
    }
}
