import FleetModel

/// The inputs each resource of an instance should have (the table in ARCHITECTURE.md "Steps"); their hashes decide what changes.
struct DesiredResources {
    let spec: InstanceSpec
    let tier: Tier
    let fleet: Fleet
    /// Version of the task definition: the spec's, or a recorded one when reconstructing old inputs.
    let version: Version

    init(spec: InstanceSpec, tier: Tier, fleet: Fleet, version: Version? = nil) {
        self.spec = spec; self.tier = tier; self.fleet = fleet; self.version = version ?? spec.version
    }

    /// Resources whose only input is the region, which never changes after creation.
    static let regionOnly: Set<ResourceKind> = [.network, .key, .bucket, .secret, .cluster]

    /// Inputs of `kind` as desired by the spec (the service at 0 replicas while suspended).
    func inputs(_ kind: ResourceKind) -> [String: String] {
        switch kind {
        case .network, .key, .bucket, .secret, .cluster: Self.regionInputs(spec.region)
        case .database: Self.databaseInputs(region: spec.region, tier: tier)
        case .taskDefinition: Self.taskDefinitionInputs(image: fleet.image, version: version, tier: tier)
        case .service: Self.serviceInputs(replicas: spec.state == .suspended ? 0 : tier.replicas)
        case .dnsRecord: Self.dnsInputs(domain: spec.domain, dns: fleet.dns)
        }
    }

    static func regionInputs(_ region: String) -> [String: String] { [StepInput.region: region] }

    static func databaseInputs(region: String, tier: Tier) -> [String: String] {
        [StepInput.region: region, StepInput.databaseClass: tier.databaseClass, StepInput.storageGB: String(tier.storageGB)]
    }

    static func taskDefinitionInputs(image: String, version: Version, tier: Tier) -> [String: String] {
        [StepInput.image: image, StepInput.version: version.description, StepInput.cpu: String(tier.cpu), StepInput.memory: String(tier.memory)]
    }

    static func serviceInputs(replicas: Int) -> [String: String] { [StepInput.replicas: String(replicas)] }

    static func dnsInputs(domain: String, dns: DNSSettings) -> [String: String] {
        [StepInput.domain: domain, StepInput.zone: dns.zone, StepInput.target: dns.target]
    }
}
