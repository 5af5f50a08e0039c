import FleetModel

/// Who an instance is, as far as a provider may know: its name, fleet, region and the cloud ids recorded for its
/// resources. A provider gets this and the step, never the instance file or the fleet file, so a reviewed plan does
/// exactly what it showed.
public struct InstanceIdentity: Hashable, Sendable {
    public var name: String
    public var fleet: String
    public var region: String
    public var cloudIds: [ResourceKind: String]
    /// The network's subnet and security group ids as recorded; nil before the network step reported them.
    public var network: NetworkIds?
    /// The plan's labels of the instance (`InstanceTarget.labels`): tags for every resource the step creates.
    public var labels: [String: String]
    public init(
        name: String, fleet: String, region: String, cloudIds: [ResourceKind: String] = [:],
        network: NetworkIds? = nil, labels: [String: String] = [:]
    ) {
        self.name = name
        self.fleet = fleet
        self.region = region
        self.cloudIds = cloudIds
        self.network = network
        self.labels = labels
    }
}

/// What the journal says about this step's last earlier attempt (same instance, action and resource).
public enum PreviousAttempt: Sendable, Equatable {
    /// No earlier attempt, or one that finished (succeeded or failed): nothing of it is known to be half-done.
    case finishedOrNone
    /// Journaled `running` or `interrupted`: it started and never finished (kill -9, Ctrl-C, a lost lock), so the
    /// cloud may hold a resource it created but could not tag yet.
    case unfinished
}

/// Everything a provider needs to carry out a step for one instance besides the step itself.
public struct StepContext: Sendable {
    public var identity: InstanceIdentity
    /// Called for every call the provider retries by itself within the step.
    public var onCallRetry: CallRetryReport?
    /// Only `.unfinished` lets a provider adopt an untagged resource of exactly the name it derives for the step.
    public var previousAttempt: PreviousAttempt
    public init(
        identity: InstanceIdentity, onCallRetry: CallRetryReport? = nil,
        previousAttempt: PreviousAttempt = .finishedOrNone
    ) {
        self.identity = identity
        self.onCallRetry = onCallRetry
        self.previousAttempt = previousAttempt
    }
}

/// What a successful step reports back for the journal and recorded state.
public struct StepOutcome: Sendable, Equatable {
    /// Cloud id of the resource the step ensured (VPC id, ARN, bucket name …); nil when unchanged or deleted.
    public var cloudId: String?
    /// Short, non-secret note for the journal (e.g. the snapshot id).
    public var note: String?
    /// API calls the step made, for benchmarks.
    public var calls: Int
    /// The network's ids, when the step ensured the network or had to look it up again (recorded ids were gone).
    public var network: NetworkIds?
    public init(cloudId: String? = nil, note: String? = nil, calls: Int = 0, network: NetworkIds? = nil) {
        self.cloudId = cloudId
        self.note = note
        self.calls = calls
        self.network = network
    }
}

/// A cloud behind one protocol, so a second cloud is one more target and tests swap in a fake.
public protocol CloudProvider: CloudObserver {
    /// Carries out one step as an idempotent ensure: look the resource up by its tags/derived name, then create or
    /// change it.
    func perform(_ step: PlanStep, context: StepContext) async throws -> StepOutcome

    /// Whether the provider can carry out `step` as written (action, resource, attributes and detail it needs): checked
    /// for every step of a plan before the first cloud call. Nil when it can; what is wrong otherwise.
    func check(_ step: PlanStep) -> String?
}

/// A typed cloud failure; `kind` drives the executor's retry decision.
public struct CloudError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, as far as retrying and reporting care.
    public enum Kind: String, Sendable, Codable {
        case throttling, notFound = "not-found", conflict, auth, validation, server, connection
        /// The resource exists but is tagged for another instance (or fleet): never touched.
        case foreignResource = "foreign-resource"
    }

    public var kind: Kind
    /// Service and operation, e.g. `rds:CreateDBInstance`.
    public var operation: String
    /// The cloud's error code, e.g. `DBInstanceAlreadyExists`.
    public var code: String
    public var message: String
    public var httpStatus: Int?

    public init(kind: Kind, operation: String, code: String, message: String, httpStatus: Int? = nil) {
        self.kind = kind
        self.operation = operation
        self.code = code
        self.message = message
        self.httpStatus = httpStatus
    }

    /// Throttling, 5xx and connection errors are worth another try.
    public var isRetryable: Bool { kind == .throttling || kind == .server || kind == .connection }

    public var description: String {
        "\(operation): \(code): \(message)" + (httpStatus.map { " (HTTP \($0))" } ?? "")
    }
}
