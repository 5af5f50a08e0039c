/// A setting cloudctl always ensures but that is not part of a resource's attributes (a bucket's encryption, a key
/// being enabled), found different in the cloud.
public struct SettingDeviation: Hashable, Sendable {
    /// The setting's name as findings show it, e.g. `encryption`, `publicAccessBlock`, `keyState`.
    public var attribute: String
    public var expected: String
    public var observed: String
    public init(attribute: String, expected: String, observed: String) {
        self.attribute = attribute
        self.expected = expected
        self.observed = observed
    }
}

/// One resource as the cloud reports it: confirmed by its service (never a bare tag-inventory entry), with its tags
/// and the same typed attributes the plan uses.
public struct ObservedResource: Hashable, Sendable {
    public var kind: ResourceKind
    /// VPC id, key ARN, bucket name, secret ARN, DB identifier, cluster ARN, task definition ARN, service ARN, domain.
    public var cloudId: String
    public var region: String
    public var tags: [String: String]
    /// Nil when the resource exists but its attributes could not be read as the plan's types.
    public var attributes: ResourceAttributes?
    /// Ensured settings found different (empty when all are as cloudctl sets them).
    public var deviations: [SettingDeviation]

    public init(
        kind: ResourceKind, cloudId: String, region: String, tags: [String: String] = [:],
        attributes: ResourceAttributes? = nil, deviations: [SettingDeviation] = []
    ) {
        self.kind = kind
        self.cloudId = cloudId
        self.region = region
        self.tags = tags
        self.attributes = attributes
        self.deviations = deviations
    }

    /// The instance its `cloudctl:instance` tag names; nil for fleet-level resources.
    public var instance: String? { tags[ResourceTags.instanceKey] }
}

/// What one scan of the cloud found for a fleet: every confirmed resource tagged for it, by the instance its tags
/// name. A value, so the planner and the drift classifier stay pure.
public struct CloudObservation: Hashable, Sendable {
    /// Resources by `cloudctl:instance`, each list in `ResourceKind` order.
    public var instances: [String: [ObservedResource]]
    /// The regions scanned: an instance of another region was not looked at, so nothing is said about it.
    public var regions: Set<String>
    /// Calls the scan made (benchmarks and the summary line).
    public var calls: Int
    /// Tag-inventory entries the owning service no longer knows (deleted resources the tagging API still lists).
    public var ghosts: Int
    /// The kinds the provider reads: a recorded resource of another kind (one no reader covers yet) is not judged,
    /// so it is never reported missing nor created again.
    public var kinds: Set<ResourceKind>

    public init(
        instances: [String: [ObservedResource]] = [:], regions: Set<String> = [], calls: Int = 0, ghosts: Int = 0,
        kinds: Set<ResourceKind> = Set(ResourceKind.allCases)
    ) {
        self.instances = instances
        self.regions = regions
        self.calls = calls
        self.ghosts = ghosts
        self.kinds = kinds
    }

    /// Adds a resource under the instance its tags name; resources without one (fleet-level) are not kept.
    public mutating func add(_ resource: ObservedResource) {
        guard let instance = resource.instance else { return }
        instances[instance, default: []].append(resource)
    }

    /// The resources of `instance`, in `ResourceKind` order.
    public func resources(of instance: String) -> [ObservedResource] {
        (instances[instance] ?? []).sorted { ($0.kind, $0.cloudId) < ($1.kind, $1.cloudId) }
    }
}
