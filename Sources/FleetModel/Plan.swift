/// What a step does to its resource. Raw values are the JSON plan contract.
public enum StepAction: String, Sendable, Codable, CaseIterable {
    case create, update, delete
    /// Database snapshot before an upgrade hop or teardown; bucket archive before teardown.
    case snapshot
    /// Run the database migration of a hop (`StepDetail.migration`).
    case migrate
    /// Register the task definition `after` and point the service at it.
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

/// One step of an instance's plan: an idempotent ensure on one resource, Terraform style: the resource's attributes
/// before (as last applied) and after (as desired), plus what the action needs besides them.
public struct PlanStep: Hashable, Sendable {
    public var action: StepAction
    public var resource: ResourceKind
    /// Why it happens; views render it.
    public var reason: StepReason
    /// The attributes last applied (recorded); nil when unknown or the resource does not exist yet.
    public var before: ResourceAttributes?
    /// The attributes the step brings about; nil for actions that change none (snapshot, stop, delete …).
    public var after: ResourceAttributes?
    /// What the action needs beyond the attributes (snapshot purpose, migration versions, expected deployment).
    public var detail: StepDetail?
    /// SHA-256 of the canonical encoding of `after` ("" without one); recorded on success so an unchanged resource
    /// is skipped next time.
    public var inputsHash: String
    /// True when the step interrupts the running application and must wait for the maintenance window.
    public var disruptive: Bool

    public init(
        action: StepAction, resource: ResourceKind, reason: StepReason, before: ResourceAttributes? = nil,
        after: ResourceAttributes? = nil, detail: StepDetail? = nil, disruptive: Bool = false
    ) {
        self.init(
            action: action, resource: resource, reason: reason, before: before, after: after, hash: after?.hash ?? "",
            detail: detail, disruptive: disruptive)
    }

    /// The same with the hash of `after` already known (the planner memoizes it: most instances share attributes).
    public init(
        action: StepAction, resource: ResourceKind, reason: StepReason, before: ResourceAttributes?,
        after: ResourceAttributes?, hash: String, detail: StepDetail? = nil, disruptive: Bool
    ) {
        self.action = action
        self.resource = resource
        self.reason = reason
        self.before = before
        self.after = after
        self.detail = detail
        self.inputsHash = hash
        self.disruptive = disruptive
    }
}

/// What the executor needs of an instance's file besides its steps: the plan carries it, so apply reads no file.
public struct InstanceTarget: Hashable, Sendable {
    public var region: String
    /// The state the instance is in once every step succeeded.
    public var state: InstanceState
    public var maintenanceWindow: MaintenanceWindow
    public var protected: Bool
    /// The instance file's `labels`: tags the provider puts on every resource next to its own `cloudctl:` tags.
    public var labels: [String: String]
    public init(
        region: String, state: InstanceState, maintenanceWindow: MaintenanceWindow, protected: Bool,
        labels: [String: String] = [:]
    ) {
        self.region = region
        self.state = state
        self.maintenanceWindow = maintenanceWindow
        self.protected = protected
        self.labels = labels
    }
}

/// The plan for one instance.
public struct InstancePlan: Hashable, Sendable {
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
    /// What the steps amount to, in order.
    public var changes: [InstanceIntent]
    public var steps: [PlanStep]
    /// Region, end state and window from the instance file; nil for an orphan (no file).
    public var target: InstanceTarget?
    public var refusal: String?

    public init(
        name: String, status: Status = .planned, wave: Int = 0, specFingerprint: String,
        recordedFingerprint: String, changes: [InstanceIntent] = [], steps: [PlanStep],
        target: InstanceTarget? = nil, refusal: String? = nil
    ) {
        self.name = name
        self.status = status
        self.wave = wave
        self.specFingerprint = specFingerprint
        self.recordedFingerprint = recordedFingerprint
        self.changes = changes
        self.steps = steps
        self.target = target
        self.refusal = refusal
    }

    /// Steps to run, or a change that needs none (protection lifted or set is recorded by apply).
    public var hasChanges: Bool { !steps.isEmpty || !changes.isEmpty }
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
        if instance.hasChanges { instancesWithChanges += 1 }
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
    /// Bumped whenever the saved-plan shape changes incompatibly (2: typed attributes, reasons and changes).
    public static let currentFormatVersion = 2

    public var formatVersion: Int
    public var toolVersion: String
    public var fleet: String
    public var instances: [InstancePlan]
    public var summary: PlanSummary

    public init(toolVersion: String, fleet: String, instances: [InstancePlan]) {
        self.formatVersion = Plan.currentFormatVersion
        self.toolVersion = toolVersion
        self.fleet = fleet
        self.instances = instances
        self.summary = PlanSummary(instances: instances)
    }

    public var hasChanges: Bool { summary.hasChanges }
}
