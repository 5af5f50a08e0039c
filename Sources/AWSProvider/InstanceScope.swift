import FleetModel
import ProviderAPI
import Synchronization

/// Everything a service file needs for one step of one instance: the counted client, names, tags and the step's
/// typed attributes. It knows the instance only by its identity: what it does comes from the step alone.
struct InstanceScope: Sendable {
    let api: StepCalls
    let step: PlanStep
    let context: StepContext
    let backoff: Backoff
    let zones: HostedZoneCache
    /// Available zones by region.
    let availabilityZones: LookupCache<[String]>
    /// What the step learnt besides its cloud id, for `StepOutcome`.
    let report: StepReport
    /// What this provider created in this process.
    let created: CreatedThisRun

    var identity: InstanceIdentity { context.identity }
    var names: ResourceNames { ResourceNames(fleet: identity.fleet, instance: identity.name) }
    /// The tags a created resource carries: the instance's labels, then cloudctl's own tags (which win, though
    /// validation already refuses a label that would collide).
    var tags: [String: String] { identity.labels.adding(names.tags) }
    /// Only cloudctl's own tags: what finds and guards the instance's resources, so a label change loses none.
    var ownerTags: [String: String] { names.tags }
    var tagGuard: TagGuard { TagGuard(instance: identity.name, fleet: identity.fleet) }
    var region: String { api.region }

    private var operation: String { "cloudctl:\(step.action.rawValue) \(step.resource.rawValue)" }

    /// A step that lacks what its action needs is a planner bug (or a hand-edited plan); `check` refuses it before
    /// any call, so this only guards the provider itself.
    private func malformed(_ what: String) -> CloudError {
        CloudError(
            kind: .validation, operation: operation, code: "MalformedStep", message: "the step carries no \(what)")
    }

    func database() throws -> DatabaseAttributes {
        guard let value = step.after?.database else { throw malformed("database attributes") }
        return value
    }

    func taskDefinition() throws -> TaskDefinitionAttributes {
        guard let value = step.after?.taskDefinition else { throw malformed("task definition attributes") }
        return value
    }

    func service() throws -> ServiceAttributes {
        guard let value = step.after?.service else { throw malformed("service attributes") }
        return value
    }

    /// The record a DNS step ensures (`after`) or deletes (`before`).
    func dnsRecord() throws -> DNSRecordAttributes {
        guard let value = (step.after ?? step.before)?.dnsRecord else { throw malformed("DNS record attributes") }
        return value
    }

    func snapshotPurpose() throws -> SnapshotPurpose {
        guard case .snapshot(let purpose)? = step.detail else { throw malformed("snapshot purpose") }
        return purpose
    }

    func migration() throws -> (from: Version, task: TaskDefinitionAttributes) {
        guard case .migration(let from, let task)? = step.detail else { throw malformed("migration versions") }
        return (from, task)
    }

    func expectedDeployment() throws -> TaskDefinitionAttributes {
        guard case .healthCheck(let expect, _)? = step.detail else { throw malformed("expected deployment") }
        return expect
    }

    /// The application probe a health check runs after the deployment rolled out; nil when the plan names none.
    func healthProbe() -> HealthProbe? {
        guard case .healthCheck(_, let probe)? = step.detail else { return nil }
        return probe
    }

    /// A resource that must exist for this step is missing.
    func missing(_ what: String, operation: String) -> CloudError {
        CloudError(
            kind: .notFound, operation: operation, code: "NotFound",
            message: "\(what) does not exist; run the create step first")
    }
}

/// Typed values a step reports in its `StepOutcome` besides the cloud id and note, set wherever in the step they are
/// learnt.
final class StepReport: Sendable {
    private let ids = Mutex<NetworkIds?>(nil)

    /// The network's ids: ensured by the network step, or looked up again because the recorded ones failed.
    var network: NetworkIds? {
        get { ids.withLock { $0 } }
        set { ids.withLock { $0 = newValue } }
    }
}

/// Resources this provider created during this process, by kind and cloud id (a service: whose creation it
/// attempted). One created seconds ago, under the instance lock, is known to be there and this instance's: later
/// steps of the run skip looking at it again (a new cluster holds no service; a new key needs no tag check).
final class CreatedThisRun: Sendable {
    private let created = Mutex<Set<Created>>([])

    private struct Created: Hashable {
        var kind: ResourceKind
        var id: String
    }

    func insert(_ kind: ResourceKind, _ id: String) {
        created.withLock { _ = $0.insert(Created(kind: kind, id: id)) }
    }

    func contains(_ kind: ResourceKind, _ id: String) -> Bool {
        created.withLock { $0.contains(Created(kind: kind, id: id)) }
    }
}
