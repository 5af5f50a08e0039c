import Foundation
import FleetModel
import StateBackend

/// Everything the fleet page shows, as values: `cloudctl report` gathers it, `FleetPageRenderer` turns it into HTML.
public struct FleetPage: Sendable {
    public var fleet: String
    public var generatedAt: Date
    public var toolVersion: String
    /// Sorted by name: every instance with a file or a record.
    public var instances: [ReportInstance]
    /// Rollout progress per release; nil leaves the section out (no rollout data available).
    public var rollouts: [RolloutSection]?
    /// Drift findings per instance; nil leaves the section out (drift was not checked).
    public var drift: [DriftSection]?
    /// Plain-text lines shown at the top, e.g. "drift not available yet".
    public var notices: [String]

    public init(
        fleet: String, generatedAt: Date, toolVersion: String, instances: [ReportInstance],
        rollouts: [RolloutSection]? = nil, drift: [DriftSection]? = nil, notices: [String] = []
    ) {
        self.fleet = fleet
        self.generatedAt = generatedAt
        self.toolVersion = toolVersion
        self.instances = instances
        self.rollouts = rollouts
        self.drift = drift
        self.notices = notices
    }
}

/// One instance on the page: its file, its record, its lock and recent journal.
public struct ReportInstance: Sendable {
    public var name: String
    /// Nil when the file is gone (orphaned).
    public var spec: InstanceSpec?
    /// Nil before the first apply.
    public var recorded: RecordedInstance?
    public var lock: LockRecord?
    /// Newest first; their steps are not read (the page lists `steps` separately).
    public var operations: [OperationRecord]
    /// Newest first.
    public var steps: [StepRecord]
    /// Whether a fresh plan has changes for the instance; nil when no plan could be made (broken files).
    public var pendingChanges: Bool?

    public init(
        name: String, spec: InstanceSpec?, recorded: RecordedInstance?, lock: LockRecord? = nil,
        operations: [OperationRecord] = [], steps: [StepRecord] = [], pendingChanges: Bool? = nil
    ) {
        self.name = name
        self.spec = spec
        self.recorded = recorded
        self.lock = lock
        self.operations = operations
        self.steps = steps
        self.pendingChanges = pendingChanges
    }

    public var lastOperation: OperationRecord? { operations.first }
}

/// One release's rollout: its waves in order (filled in by `cloudctl rollout` data once it exists).
public struct RolloutSection: Sendable, Equatable {
    public var release: String
    public var channel: String
    public var waves: [RolloutWave]

    public init(release: String, channel: String, waves: [RolloutWave]) {
        self.release = release
        self.channel = channel
        self.waves = waves
    }
}

/// One wave of a rollout: how many of its instances run the release, and whether its gate lets the next wave go.
public struct RolloutWave: Sendable, Equatable {
    public var name: String
    public var done: Int
    public var failed: Int
    public var total: Int
    /// Free text such as "open", "waiting: 24h soak", "held: 2 failures".
    public var gate: String

    public init(name: String, done: Int, failed: Int, total: Int, gate: String) {
        self.name = name
        self.done = done
        self.failed = failed
        self.total = total
        self.gate = gate
    }
}

/// The drift findings of one instance, as `cloudctl drift` finds them.
public struct DriftSection: Sendable, Equatable {
    public var instance: String
    public var findings: [DriftFinding]

    public init(instance: String, findings: [DriftFinding]) {
        self.instance = instance
        self.findings = findings
    }
}
