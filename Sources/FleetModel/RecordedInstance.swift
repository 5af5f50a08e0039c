/// What the store knows about one resource: its cloud id and the inputs hash of the last successful ensure.
public struct RecordedResource: Hashable, Sendable, Codable {
    public var cloudId: String
    public var inputsHash: String
    public init(cloudId: String, inputsHash: String) { self.cloudId = cloudId; self.inputsHash = inputsHash }
}

/// Recorded (observed) state of one instance, as kept in SQLite by the executor.
public struct RecordedInstance: Hashable, Sendable, Codable {
    public var name: String
    public var region: String
    /// Version the service last deployed successfully; nil before the first deploy.
    public var runningVersion: Version?
    public var state: InstanceState
    /// Domain the DNS record currently points from; nil before it exists.
    public var domain: String?
    /// Database storage currently allocated (GiB), to refuse a shrink.
    public var storageGB: Int?
    public var resources: [ResourceKind: RecordedResource]

    public init(name: String, region: String, runningVersion: Version? = nil, state: InstanceState = .active,
                domain: String? = nil, storageGB: Int? = nil, resources: [ResourceKind: RecordedResource] = [:]) {
        self.name = name; self.region = region; self.runningVersion = runningVersion; self.state = state
        self.domain = domain; self.storageGB = storageGB; self.resources = resources
    }

    /// Fingerprint recorded in a plan for an instance with no recorded state.
    public static let noneFingerprint = "none"

    /// Stable hash of everything the planner reads from this record.
    public var fingerprint: String {
        var parts = ["name=\(name)", "region=\(region)", "version=\(runningVersion?.description ?? "")",
                     "state=\(state.rawValue)", "domain=\(domain ?? "")", "storage=\(storageGB.map(String.init) ?? "")"]
        for kind in ResourceKind.allCases {
            if let r = resources[kind] { parts.append("\(kind.rawValue)=\(r.cloudId)#\(r.inputsHash)") }
        }
        return ContentHash.sha256Hex(parts.joined(separator: "\n"))
    }
}
