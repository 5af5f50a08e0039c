/// What a step does to its resource. Raw values are the JSON plan contract.
public enum StepAction: String, Sendable, Codable, CaseIterable {
    case create, update, delete
    /// Database snapshot before an upgrade hop or teardown; bucket archive before teardown.
    case snapshot
    /// Run the database migration for the version in `inputs["version"]`.
    case migrate
    /// Register the task definition for `inputs["version"]` and point the service at it.
    case deploy
    /// Wait until the service runs the deployed task definition.
    case healthCheck = "health-check"
    /// Stop / start the database (suspend / resume).
    case stop, start

    /// Terraform-style symbol for human output.
    public var symbol: String {
        switch self {
        case .create: "+"
        case .update, .stop, .start: "~"
        case .delete: "-"
        case .snapshot: "*"
        case .migrate, .deploy: ">"
        case .healthCheck: "?"
        }
    }
}

/// Well-known keys of `PlanStep.inputs`; values are never secrets.
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

/// One step of an instance's plan: an idempotent ensure on one resource.
public struct PlanStep: Hashable, Sendable, Codable {
    public var action: StepAction
    public var resource: ResourceKind
    /// Why it happens; for display only.
    public var reason: String
    /// The step's inputs (never secrets); the provider reads what it needs from here.
    public var inputs: [String: String]
    /// SHA-256 of the resource's inputs after this step; recorded on success so an unchanged resource is skipped next time.
    public var inputsHash: String
    /// True when the step interrupts the running application and must wait for the maintenance window.
    public var disruptive: Bool

    public init(action: StepAction, resource: ResourceKind, reason: String, inputs: [String: String] = [:], inputsHash: String, disruptive: Bool = false) {
        self.action = action; self.resource = resource; self.reason = reason; self.inputs = inputs
        self.inputsHash = inputsHash; self.disruptive = disruptive
    }
}

/// The plan for one instance.
public struct InstancePlan: Hashable, Sendable, Codable {
    /// Whether the plan will act on the instance, or why not.
    public enum Status: String, Sendable, Codable {
        /// Steps to run (possibly none).
        case planned
        /// Recorded but no file: reported, never touched.
        case orphaned
        /// The plan refuses to touch it (see `refusal`).
        case refused
    }

    public var name: String
    public var status: Status
    /// Rollout wave index (0 = first); instances of a later wave start after the earlier wave finished.
    public var wave: Int
    /// Fingerprint of the instance file and the fleet settings it uses; "" when there is no file.
    public var specFingerprint: String
    /// Fingerprint of the recorded state the plan was computed from; `RecordedInstance.noneFingerprint` when none.
    public var recordedFingerprint: String
    public var steps: [PlanStep]
    public var refusal: String?

    public init(name: String, status: Status = .planned, wave: Int = 0, specFingerprint: String, recordedFingerprint: String, steps: [PlanStep], refusal: String? = nil) {
        self.name = name; self.status = status; self.wave = wave; self.specFingerprint = specFingerprint
        self.recordedFingerprint = recordedFingerprint; self.steps = steps; self.refusal = refusal
    }
}

/// Counts shown in the summary line and the JSON contract.
public struct PlanSummary: Hashable, Sendable, Codable {
    public var instances: Int
    public var instancesWithChanges: Int
    public var create: Int
    public var update: Int
    public var delete: Int
    /// Steps that are not create/update/delete (snapshot, migrate, deploy, health-check, stop, start).
    public var other: Int
    public var orphaned: Int
    public var refused: Int

    public init(instances: [InstancePlan]) {
        self.init()
        for instance in instances { add(instance) }
    }

    /// All zero: a plan of no instances, to be built up with `add(_:)` while a plan is streamed.
    public init() {
        (instances, instancesWithChanges, create, update, delete, other, orphaned, refused) = (0, 0, 0, 0, 0, 0, 0, 0)
    }

    /// Counts one more instance.
    public mutating func add(_ instance: InstancePlan) {
        instances += 1
        if !instance.steps.isEmpty { instancesWithChanges += 1 }
        if instance.status == .orphaned { orphaned += 1 }
        if instance.status == .refused { refused += 1 }
        for step in instance.steps {
            switch step.action {
            case .create: create += 1
            case .update: update += 1
            case .delete: delete += 1
            default: other += 1
            }
        }
    }

    public var hasChanges: Bool { instancesWithChanges > 0 }
}

/// A plan: plain data, saved as JSON, refused by apply when stale.
public struct Plan: Hashable, Sendable, Codable {
    /// Bumped whenever the saved-plan shape changes incompatibly.
    public static let currentFormatVersion = 1

    public var formatVersion: Int
    public var toolVersion: String
    public var fleet: String
    public var instances: [InstancePlan]
    public var summary: PlanSummary

    public init(toolVersion: String, fleet: String, instances: [InstancePlan]) {
        self.formatVersion = Plan.currentFormatVersion
        self.toolVersion = toolVersion; self.fleet = fleet; self.instances = instances
        self.summary = PlanSummary(instances: instances)
    }

    public var hasChanges: Bool { summary.hasChanges }
}
