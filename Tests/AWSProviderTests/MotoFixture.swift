import Foundation
#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif
import XCTest
import Synchronization
import FleetModel
import ProviderAPI
import TestSupport
@testable import AWSProvider

/// A reset moto server at `CLOUDCTL_TEST_ENDPOINT`, a provider that polls it quickly, and the planner-shaped steps the
/// tests run.
struct MotoFixture: Sendable {
    let provider: AWSCloudProvider
    let client: AWSClient
    let fleet = Fixtures.fleet()
    var spec = Fixtures.spec()
    var names: ResourceNames { ResourceNames(fleet: fleet.name, instance: spec.name) }
    var tier: Tier { fleet.tiers[spec.size]! }
    /// What an executor would have recorded from the steps run so far, by instance: later steps get its cloud ids
    /// and network ids, as in an apply.
    let recorded = Recorded()

    /// Recorded state of the instances the fixture acted for.
    final class Recorded: Sendable {
        private let instances = Mutex<[String: RecordedInstance]>([:])

        subscript(name: String) -> RecordedInstance? { instances.withLock { $0[name] } }

        /// The executor's rule (`RecordedInstance.record`), as far as the provider sees it: cloud ids and network ids.
        func record(_ step: PlanStep, _ outcome: StepOutcome, for name: String, region: String) {
            instances.withLock { instances in
                var instance = instances[name] ?? RecordedInstance(name: name, region: region)
                switch step.action {
                case .create, .update, .deploy:
                    let cloudId = outcome.cloudId ?? instance.resources[step.resource]?.cloudId ?? ""
                    instance.resources[step.resource] = RecordedResource(cloudId: cloudId, inputsHash: step.inputsHash)
                case .delete:
                    instance.resources[step.resource] = nil
                default:
                    break
                }
                if step.resource == .network && step.action == .delete {
                    instance.network = nil
                } else if let ids = outcome.network {
                    instance.network = ids
                }
                instances[name] = instance
            }
        }
    }

    /// Skips the test unless `CLOUDCTL_TEST_ENDPOINT` is set; resets moto.
    static func start() async throws -> MotoFixture {
        guard let text = ProcessInfo.processInfo.environment["CLOUDCTL_TEST_ENDPOINT"], let endpoint = URL(string: text)
        else {
            throw XCTSkip("set CLOUDCTL_TEST_ENDPOINT (e.g. http://127.0.0.1:5102) to run live tests against moto")
        }
        var reset = URLRequest(url: endpoint.appendingPathComponent("moto-api/reset"))
        reset.httpMethod = "POST"
        _ = try await URLSession.shared.data(for: reset)
        let config = AWSConfig(
            region: "us-east-1", endpoint: endpoint,
            credentials: AWSCredentials(accessKeyId: "test", secretAccessKey: "test"))
        let fast = Backoff(initial: .milliseconds(5), maximum: .milliseconds(40), attempts: 25)
        return MotoFixture(
            provider: AWSCloudProvider(config: config, transport: nil, backoff: fast),
            client: AWSClient(config: config, transport: URLSessionTransport.make()))
    }

    /// The same moto and provider, acting for another instance.
    func acting(for spec: InstanceSpec) -> MotoFixture {
        var copy = self
        copy.spec = spec
        return copy
    }

    func step(_ action: StepAction, _ resource: ResourceKind, _ inputs: [String: String] = [:]) -> PlanStep {
        PlanStep(action: action, resource: resource, reason: "test", inputs: inputs, inputsHash: "h")
    }

    /// The create step's inputs as docs/ARCHITECTURE.md lists them.
    func createInputs(_ resource: ResourceKind, version: Version? = nil, replicas: Int? = nil) -> [String: String] {
        switch resource {
        case .network, .key, .bucket, .secret, .cluster, .securityRules, .logGroup: [StepInput.region: spec.region]
        case .executionRole, .taskRole: [StepInput.image: fleet.image]
        case .database:
            [
                StepInput.region: spec.region, StepInput.databaseClass: tier.databaseClass,
                StepInput.storageGB: String(tier.storageGB),
            ]
        case .taskDefinition:
            [
                StepInput.image: fleet.image, StepInput.version: (version ?? spec.version).description,
                StepInput.cpu: String(tier.cpu), StepInput.memory: String(tier.memory),
            ]
        case .service: [StepInput.replicas: String(replicas ?? tier.replicas)]
        case .dnsRecord:
            [StepInput.domain: spec.domain, StepInput.zone: fleet.dns.zone, StepInput.target: fleet.dns.target]
        }
    }

    @discardableResult
    func run(_ step: PlanStep) async throws -> StepOutcome {
        let context = StepContext(spec: spec, fleet: fleet, recorded: recorded[spec.name])
        let outcome = try await provider.perform(step, context: context)
        recorded.record(step, outcome, for: spec.name, region: spec.region)
        return outcome
    }

    /// Every create, in `ResourceKind` order.
    @discardableResult
    func provision() async throws -> [ResourceKind: StepOutcome] {
        var outcomes: [ResourceKind: StepOutcome] = [:]
        for resource in ResourceKind.allCases {
            outcomes[resource] = try await run(step(.create, resource, createInputs(resource)))
        }
        return outcomes
    }

    // MARK: observing moto directly

    func vpcIds() async throws -> [String] {
        try await client.query(.ec2, action: "DescribeVpcs", params: QueryParams.filters(QueryParams.ownedBy(names)))
            .items("vpcSet").compactMap { $0.value("vpcId") }
    }

    func database() async throws -> XMLNode? {
        let answer = try await absent(on: "DBInstanceNotFound", "DBInstanceNotFoundFault") {
            try await client.query(
                .rds, action: "DescribeDBInstances", params: ["DBInstanceIdentifier": names.database])
        }
        return answer?.items("DBInstances").first
    }

    func snapshotIds() async throws -> [String] {
        try await client.query(
            .rds, action: "DescribeDBSnapshots",
            params: ["DBInstanceIdentifier": names.database, "SnapshotType": "manual"]
        )
        .items("DBSnapshots").compactMap { $0.value("DBSnapshotIdentifier") }
    }

    func service() async throws -> JSONValue? {
        let answer = try await client.json(
            .ecs, action: "DescribeServices", body: ["cluster": .string(names.cluster), "services": ["app"]])
        return answer["services"]?.array?.first { $0["status"]?.string == "ACTIVE" }
    }

    func latestTaskDefinition() async throws -> JSONValue? {
        try await absent(on: "ClientException") {
            try await client.json(
                .ecs, action: "DescribeTaskDefinition", body: ["taskDefinition": .string(names.taskFamily)])[
                    "taskDefinition"]
        }?.flatMap { $0["status"]?.string == "ACTIVE" ? $0 : nil }
    }

    /// Empty when the bucket has no tags.
    func bucketTags(_ bucket: String) async throws -> [String: String] {
        let response: HTTPResponse
        do {
            response = try await client.rest(.s3, method: "GET", path: "/\(bucket)", query: ["tagging": ""])
        } catch let error as CloudError where error.code == "NoSuchTagSet" {
            return [:]
        }
        return TagFormat.parse(xml: try XMLNode(parsing: response.body).descendants("TagSet").first)
    }

    func objectKeys(_ bucket: String) async throws -> [String] {
        let response = try await client.rest(.s3, method: "GET", path: "/\(bucket)", query: ["list-type": "2"])
        return try XMLNode(parsing: response.body).descendants("Key").map(\.text)
    }

    func secret() async throws -> JSONValue {
        try await client.json(.secretsManager, action: "DescribeSecret", body: ["SecretId": .string(names.secret)])
    }

    /// Record sets of the fleet zone named `name` (any type).
    func records(named name: String) async throws -> [String] {
        let zones = try XMLNode(
            parsing: try await client.rest(
                .route53, method: "GET", path: "/2013-04-01/hostedzonesbyname",
                query: ["dnsname": fleet.dns.zone]
            ).body)
        guard let zoneId = zones.descendants("HostedZone").first?.value("Id").map(Route53Record.zoneId) else {
            return []
        }
        let sets = try XMLNode(
            parsing: try await client.rest(.route53, method: "GET", path: "/2013-04-01/hostedzone/\(zoneId)/rrset").body
        )
        return sets.descendants("ResourceRecordSet").filter { Route53Record.normalized($0.value("Name") ?? "") == name }
            .map { "\($0.value("Type") ?? ""):\($0.descendants("Value").map(\.text).joined())" }
    }
}
