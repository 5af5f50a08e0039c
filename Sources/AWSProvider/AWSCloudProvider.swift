import Foundation
import FleetModel
import ProviderAPI
import Synchronization

/// `CloudProvider` over AWS's HTTP APIs: one `AWSClient` per region (created lazily, shared by concurrent steps),
/// one file per service. Every step is an idempotent ensure: look up by derived name or tags, check ownership, then
/// act.
public final class AWSCloudProvider: CloudProvider {
    private let config: AWSConfig
    private let transport: HTTPTransport
    private let clients = Mutex<[String: AWSClient]>([:])
    let backoff: Backoff
    private let zones = HostedZoneCache()
    private let availabilityZones = LookupCache<[String]>()
    private let created = CreatedThisRun()

    /// `transport` nil means URLSession.
    public convenience init(config: AWSConfig, transport: HTTPTransport? = nil) {
        self.init(config: config, transport: transport, backoff: Backoff())
    }

    /// `backoff` lets tests poll moto without waiting seconds.
    init(config: AWSConfig, transport: HTTPTransport?, backoff: Backoff) {
        self.config = config
        // URLSession's timer is a backstop just behind the client's own per-call timeout.
        let backstop = Double(config.requestTimeout.components.seconds) + 1
        self.transport = transport ?? URLSessionTransport.make(timeout: backstop)
        self.backoff = backoff
    }

    /// API calls made so far across regions.
    public var callCount: Int { clients.withLock { $0.values.reduce(0) { $0 + $1.callCount } } }

    /// The client for `region`, created on first use.
    func client(region: String) -> AWSClient {
        clients.withLock { clients in
            if let client = clients[region] { return client }
            var regional = config
            regional.region = region
            let client = AWSClient(config: regional, transport: transport)
            clients[region] = client
            return client
        }
    }

    public func perform(_ step: PlanStep, context: StepContext) async throws -> StepOutcome {
        let api = StepCalls(client: client(region: context.identity.region), onRetry: context.onCallRetry)
        let report = StepReport()
        let scope = InstanceScope(
            api: api, step: step, context: context, backoff: backoff, zones: zones,
            availabilityZones: availabilityZones, report: report, created: created)
        // A label step changes tags only; it is an `update` of the resource by its reason.
        let (cloudId, note) =
            step.reason == .labelsChanged
            ? (nil, try await LabelTags(scope: scope).apply()) : try await perform(step.action, step.resource, scope)
        return StepOutcome(cloudId: cloudId, note: note, calls: api.calls, network: report.network)
    }

    /// Reads the fleet's resources in batches (`CloudInventory`); changes nothing.
    public func observe(_ request: ObservationRequest, onCallRetry: CallRetryReport?) async throws
        -> CloudObservation
    {
        try await CloudInventory(request: request, client: { self.client(region: $0) }, onRetry: onCallRetry).observe()
    }

    /// What each (action, resource) pair of docs/ARCHITECTURE.md "Steps" needs from the step, checked before any call.
    public func check(_ step: PlanStep) -> String? {
        let placement: Set<ResourceKind> = [.network, .key, .bucket, .secret, .cluster]
        func needs(_ what: String, _ present: Bool) -> String? { present ? nil : "it carries no \(what)" }
        if step.reason == .labelsChanged {
            guard step.action == .update, step.resource.carriesLabels else {
                return "the AWS provider has no '\(step.action.rawValue) \(step.resource.rawValue)' label step"
            }
            if case .labels? = step.detail { return nil }
            return "it carries no labels"
        }
        switch (step.action, step.resource) {
        case (.create, let kind), (.update, let kind):
            if placement.contains(kind) { return needs("region", step.after?.region != nil) }
            switch kind {
            case .database: return needs("database attributes", step.after?.database != nil)
            case .securityRules: return needs("security rule attributes", step.after?.securityRules != nil)
            case .logGroup: return needs("log group attributes", step.after?.logGroup != nil)
            case .executionRole, .taskRole: return needs("role attributes", step.after?.role != nil)
            case .taskDefinition: return needs("task definition attributes", step.after?.taskDefinition != nil)
            case .service: return needs("service attributes", step.after?.service != nil)
            case .dnsRecord: return needs("DNS record attributes", step.after?.dnsRecord != nil)
            default: return nil
            }
        case (.deploy, .taskDefinition): return needs("task definition attributes", step.after?.taskDefinition != nil)
        case (.delete, .dnsRecord): return needs("DNS record as last applied", step.before?.dnsRecord != nil)
        case (.delete, .logGroup):
            if case .keep? = step.detail { return nil }
            return "it carries no retention"
        case (.delete, _), (.stop, .database), (.start, .database): return nil
        case (.snapshot, .database):
            if case .snapshot? = step.detail { return nil }
            return "it carries no snapshot purpose"
        case (.snapshot, .bucket):
            if case .snapshot(.final)? = step.detail { return nil }
            return "it carries no retention"
        case (.migrate, .database):
            if case .migration? = step.detail { return nil }
            return "it carries no migration versions"
        case (.healthCheck, .service):
            if case .healthCheck? = step.detail { return nil }
            return "it carries no expected deployment"
        default:
            return "the AWS provider has no '\(step.action.rawValue) \(step.resource.rawValue)' step"
        }
    }

    /// The (action, resource) pairs of docs/ARCHITECTURE.md "Steps"; returns (cloudId, note).
    private func perform(_ action: StepAction, _ resource: ResourceKind, _ scope: InstanceScope) async throws -> (
        String?, String?
    ) {
        switch (action, resource) {
        case (.create, .network), (.update, .network): return (try await EC2Network(scope: scope).ensure(), nil)
        case (.delete, .network): try await EC2Network(scope: scope).delete()
        case (.create, .securityRules), (.update, .securityRules):
            return (try await SecurityGroupRules(scope: scope).ensure(), nil)
        case (.delete, .securityRules): try await SecurityGroupRules(scope: scope).delete()
        case (.create, .logGroup), (.update, .logGroup):
            return (try await CloudWatchLogGroup(scope: scope).ensure(), nil)
        case (.delete, .logGroup): return (nil, try await CloudWatchLogGroup(scope: scope).keep())
        case (.create, .executionRole), (.update, .executionRole), (.create, .taskRole), (.update, .taskRole):
            return (try await IAMRole(scope: scope, kind: resource).ensure(), nil)
        case (.delete, .executionRole), (.delete, .taskRole): try await IAMRole(scope: scope, kind: resource).delete()
        case (.create, .key), (.update, .key): return (try await KMSKey(scope: scope).ensure(), nil)
        case (.delete, .key):
            try await KMSKey(scope: scope).delete()
            return (nil, "key disabled, deletion scheduled in \(KMSKey.deletionWindowDays) days")
        case (.create, .bucket), (.update, .bucket):
            return (try await S3Bucket(scope: scope).ensure(keyArn: try await KMSKey(scope: scope).arn()), nil)
        case (.delete, .bucket): try await S3Bucket(scope: scope).delete()
        case (.snapshot, .bucket): return (nil, "archived to \(try await S3Bucket(scope: scope).archive())")
        case (.create, .secret), (.update, .secret): return (try await SecretsManagerSecret(scope: scope).ensure(), nil)
        case (.delete, .secret): try await SecretsManagerSecret(scope: scope).delete()
        case (.create, .database): return (try await RDSDatabase(scope: scope).ensure(), nil)
        case (.update, .database): return (try await RDSDatabase(scope: scope).update(), nil)
        case (.delete, .database): try await RDSDatabase(scope: scope).delete()
        case (.snapshot, .database): return (nil, "snapshot \(try await RDSDatabase(scope: scope).snapshot())")
        case (.stop, .database): try await RDSDatabase(scope: scope).stop()
        case (.start, .database): try await RDSDatabase(scope: scope).start()
        case (.migrate, .database): return (nil, "migration task \(try await ECSMigration(scope: scope).run())")
        case (.create, .cluster), (.update, .cluster): return (try await ECSCluster(scope: scope).ensure(), nil)
        case (.delete, .cluster): try await ECSCluster(scope: scope).delete()
        case (.create, .taskDefinition), (.update, .taskDefinition), (.deploy, .taskDefinition):
            // The executor records the version as running after any of these, so an existing service is rolled too.
            // A create with no service recorded has none to roll: the service step's ensure rolls one a dead run left.
            let definitions = ECSTaskDefinition(scope: scope)
            let shape = try await definitions.wiredShape(try scope.taskDefinition())
            let arn = try await definitions.ensure(family: scope.names.taskFamily, shape: shape)
            if action != .create || scope.identity.cloudIds[.service] != nil {
                try await ECSService(scope: scope).roll(to: arn)
            }
            return (arn, nil)
        case (.delete, .taskDefinition): try await ECSTaskDefinition(scope: scope).delete()
        case (.create, .service): return (try await ECSService(scope: scope).ensure(), nil)
        case (.update, .service): return (try await ECSService(scope: scope).update(), nil)
        case (.delete, .service): try await ECSService(scope: scope).delete()
        case (.healthCheck, .service): return (nil, try await ECSService(scope: scope).healthCheckAndProbe())
        case (.create, .dnsRecord), (.update, .dnsRecord): return (try await Route53Record(scope: scope).ensure(), nil)
        case (.delete, .dnsRecord): try await Route53Record(scope: scope).delete()
        default:
            throw CloudError(
                kind: .validation, operation: "cloudctl:\(action.rawValue) \(resource.rawValue)",
                code: "UnsupportedStep",
                message: "the AWS provider has no '\(action.rawValue) \(resource.rawValue)' step")
        }
        return (nil, nil)
    }
}
