import FleetModel
import ProviderAPI

/// Keys of plan format 1's string inputs; provider tests still describe steps this way and `PlanStep(…inputs:)`
/// turns them into typed attributes and details.
public enum StepInput {
    public static let version = "version"
    public static let image = "image"
    public static let databaseClass = "databaseClass"
    public static let storageGB = "storageGB"
    public static let cpu = "cpu"
    public static let memory = "memory"
    public static let replicas = "replicas"
    public static let domain = "domain"
    public static let previousDomain = "previousDomain"
    public static let zone = "zone"
    public static let target = "target"
    public static let region = "region"
    public static let fromVersion = "fromVersion"
    public static let purpose = "purpose"
}

extension PlanStep {
    /// A typed step from test-friendly string inputs; what is missing falls back to the `Fixtures` fleet's values
    /// (image `registry.example.com/app`, tier small).
    public init(
        action: StepAction, resource: ResourceKind, reason: String, inputs: [String: String] = [:],
        inputsHash: String = "", disruptive: Bool = false
    ) {
        func int(_ key: String, _ fallback: Int) -> Int { inputs[key].flatMap { Int($0) } ?? fallback }
        let version = inputs[StepInput.version].flatMap(Version.init) ?? Version(5, 2, 3)
        let task = TaskDefinitionAttributes(
            image: inputs[StepInput.image] ?? "registry.example.com/app", version: version,
            cpu: int(StepInput.cpu, 256),
            memory: int(StepInput.memory, 512))
        var after: ResourceAttributes?
        var before: ResourceAttributes?
        var detail: StepDetail?
        switch (action, resource) {
        case (.snapshot, .database):
            detail = .snapshot(inputs[StepInput.purpose] == "final" ? .final(.standard) : .preUpgrade(version))
        case (.snapshot, .bucket):
            detail = .snapshot(.final(.standard))
        case (.migrate, _):
            detail = .migration(from: inputs[StepInput.fromVersion].flatMap(Version.init) ?? version, task: task)
        case (.healthCheck, _):
            detail = .healthCheck(expect: task)
        case (.delete, .dnsRecord):
            before = .dnsRecord(
                DNSRecordAttributes(
                    domain: inputs[StepInput.domain] ?? "acme.cloud.example.com",
                    zone: inputs[StepInput.zone] ?? "cloud.example.com", target: inputs[StepInput.target] ?? ""))
        case (.delete, .logGroup):
            detail = .keep(.standard)
        case (.delete, _), (.snapshot, _), (.stop, _), (.start, _):
            break
        case (_, .securityRules):
            after = .securityRules(
                SecurityRulesAttributes(region: inputs[StepInput.region] ?? "us-east-1", ingress: []))
        case (_, .logGroup):
            after = .logGroup(LogGroupAttributes(region: inputs[StepInput.region] ?? "us-east-1", retentionDays: 30))
        case (_, .executionRole):
            after = .role(.execution(image: inputs[StepInput.image] ?? "registry.example.com/app"))
        case (_, .taskRole):
            after = .role(.task)
        case (_, .network), (_, .key), (_, .bucket), (_, .secret), (_, .cluster):
            after = .placement(PlacementAttributes(region: inputs[StepInput.region] ?? "us-east-1"))
        case (_, .database):
            after = .database(
                DatabaseAttributes(
                    region: inputs[StepInput.region] ?? "us-east-1",
                    databaseClass: inputs[StepInput.databaseClass] ?? "db.t3.micro",
                    storageGB: int(StepInput.storageGB, 20)))
        case (_, .taskDefinition):
            after = .taskDefinition(task)
        case (_, .service):
            after = .service(ServiceAttributes(replicas: int(StepInput.replicas, 1)))
        case (_, .dnsRecord):
            after = .dnsRecord(
                DNSRecordAttributes(
                    domain: inputs[StepInput.domain] ?? "acme.cloud.example.com",
                    zone: inputs[StepInput.zone] ?? "cloud.example.com",
                    target: inputs[StepInput.target] ?? "ingress.cloud.example.com"))
            if let previous = inputs[StepInput.previousDomain] {
                before = .dnsRecord(
                    DNSRecordAttributes(
                        domain: previous, zone: inputs[StepInput.zone] ?? "cloud.example.com",
                        target: inputs[StepInput.target] ?? "ingress.cloud.example.com"))
            }
        }
        self.init(
            action: action, resource: resource, reason: .teardown, before: before, after: after, detail: detail,
            disruptive: disruptive)
        if !inputsHash.isEmpty { self.inputsHash = inputsHash }
    }
}

extension StepContext {
    /// The context a provider gets for `spec`'s instance: its identity only.
    public init(spec: InstanceSpec, fleet: Fleet, recorded: RecordedInstance?) {
        let cloudIds = (recorded?.resources ?? [:]).mapValues(\.cloudId)
        self.init(
            identity: InstanceIdentity(
                name: spec.name, fleet: fleet.name, region: spec.region, cloudIds: cloudIds,
                network: recorded?.network))
    }
}

extension InstanceTarget {
    /// What a plan carries of `spec` for the executor.
    public init(_ spec: InstanceSpec) {
        self.init(
            region: spec.region, state: spec.state, maintenanceWindow: spec.maintenanceWindow,
            protected: spec.protected, labels: spec.labels)
    }
}
