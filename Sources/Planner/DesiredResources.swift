import FleetModel

/// The attributes each resource of an instance should have (ARCHITECTURE.md "Steps"); their hashes decide what changes.
struct DesiredResources {
    let spec: InstanceSpec
    let tier: Tier
    let fleet: Fleet
    /// Version of the task definition: the spec's, or a recorded one when reconstructing old attributes.
    let version: Version
    let memo: HashedAttributesMemo

    init(spec: InstanceSpec, tier: Tier, fleet: Fleet, version: Version? = nil, memo: HashedAttributesMemo) {
        self.spec = spec
        self.tier = tier
        self.fleet = fleet
        self.version = version ?? spec.version
        self.memo = memo
    }

    /// Desired attributes of `kind` with their hash; DNS records are unique per instance, so they skip the memo.
    func hashed(_ kind: ResourceKind) -> HashedAttributes {
        guard let key = memoKey(kind) else { return HashedAttributes(attributes(kind)) }
        return memo.hashed(key) { attributes(kind) }
    }

    /// Everything `attributes(kind)` depends on besides the fleet, which is fixed for one plan.
    private func memoKey(_ kind: ResourceKind) -> HashedAttributesMemo.Key? {
        switch kind {
        case .network, .key, .bucket, .secret, .cluster: .region(spec.region)
        case .database: .database(spec.region, tier, spec.protected)
        case .securityRules: .securityRules(spec.region)
        case .logGroup: .logGroup(spec.region)
        case .executionRole, .taskRole: .role(kind)
        case .service: .service(replicas)
        // Name, domain and features are in its environment: one per instance.
        case .taskDefinition, .dnsRecord: nil
        }
    }

    /// Resources changed in place by an `update` of their own whenever their attributes change: the region-only ones
    /// (whose region never changes after creation), rules, log retention, role policies.
    static let updatedInPlace: Set<ResourceKind> = [
        .network, .key, .bucket, .secret, .cluster, .securityRules, .logGroup, .executionRole, .taskRole,
    ]

    private var replicas: Int { spec.state == .suspended ? 0 : tier.replicas }

    /// Attributes of `kind` as desired by the spec (the service at 0 replicas while suspended).
    func attributes(_ kind: ResourceKind) -> ResourceAttributes {
        switch kind {
        case .network, .key, .bucket, .secret, .cluster: .placement(PlacementAttributes(region: spec.region))
        case .database:
            .database(
                DatabaseAttributes(
                    region: spec.region, databaseClass: tier.databaseClass, storageGB: tier.storageGB,
                    backupRetentionDays: tier.backupRetentionDays, deletionProtection: spec.protected))
        case .securityRules:
            .securityRules(SecurityRulesAttributes(region: spec.region, ingress: fleet.ingress.map(\.description)))
        case .logGroup: .logGroup(LogGroupAttributes(region: spec.region, retentionDays: fleet.logRetention.days))
        case .executionRole: .role(.execution(image: fleet.image))
        case .taskRole: .role(.task)
        case .taskDefinition: .taskDefinition(taskDefinition)
        case .service: .service(ServiceAttributes(replicas: replicas))
        case .dnsRecord:
            .dnsRecord(DNSRecordAttributes(domain: spec.domain, zone: fleet.dns.zone, target: fleet.dns.target))
        }
    }

    /// The application's task definition at `version`.
    var taskDefinition: TaskDefinitionAttributes {
        TaskDefinitionAttributes(
            image: fleet.image, version: version, cpu: tier.cpu, memory: tier.memory, environment: environment)
    }

    /// What the files tell the application: who it is, where it is reached, which version runs, which features are
    /// on (`CLOUDCTL_FEATURE_<NAME>`, see `InstanceSpec.featureVariable`).
    var environment: [String: String] {
        var values = [
            "CLOUDCTL_INSTANCE": spec.name, "CLOUDCTL_EXTERNAL_URL": "https://\(spec.domain)",
            "AWS_REGION": spec.region, "CLOUDCTL_VERSION": version.description,
        ]
        // The loader refuses names that make no variable, or two that make the same one.
        for (feature, on) in spec.features {
            if let variable = InstanceSpec.featureVariable(feature) { values[variable] = on ? "true" : "false" }
        }
        return values
    }

    /// The same desire at another version (an upgrade hop) or tier (reconstructing a record).
    func with(tier: Tier? = nil, version: Version?) -> DesiredResources {
        DesiredResources(spec: spec, tier: tier ?? self.tier, fleet: fleet, version: version, memo: memo)
    }
}
