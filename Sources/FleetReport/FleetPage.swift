import Foundation
import FleetModel
import Rollout
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
    /// Plain-text lines shown at the top, e.g. that the instance files have errors.
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

/// One release's rollout: its waves in rollout order, as `cloudctl rollout status` computes them.
public struct RolloutSection: Sendable, Equatable {
    public var release: String
    public var waves: [RolloutWaveRow]
    /// Instances the release does not reach and why, e.g. "channel beta is paused" (at most a few, then a count).
    public var skipped: [String]

    public init(release: String, waves: [RolloutWaveRow], skipped: [String] = []) {
        self.release = release
        self.waves = waves
        self.skipped = skipped
    }
}

/// One wave of a rollout: its instances' progress and the gate before it.
public struct RolloutWaveRow: Sendable, Equatable {
    public var name: String
    public var channel: String
    public var state: WaveStatus.State
    public var total: Int
    public var onVersion: Int
    public var healthy: Int
    public var failed: Int
    /// Files naming the release whose apply waits for the maintenance window.
    public var waiting: Int
    /// Files naming the release, not applied yet.
    public var applying: Int
    /// Files still naming an older version.
    public var notStarted: Int
    /// What keeps the wave from starting; empty when its gate is open.
    public var gate: [GateNote]
    /// Bake time still to wait after this wave, as text ("31h"); nil when none is left.
    public var bakeLeft: String?
    public var startedAt: Date?
    public var finishedAt: Date?
    /// Names of its failed instances (the first few).
    public var failedInstances: [String]

    public init(
        name: String, channel: String, state: WaveStatus.State, total: Int, onVersion: Int, healthy: Int, failed: Int,
        waiting: Int, applying: Int, notStarted: Int, gate: [GateNote], bakeLeft: String? = nil,
        startedAt: Date? = nil, finishedAt: Date? = nil, failedInstances: [String] = []
    ) {
        self.name = name
        self.channel = channel
        self.state = state
        self.total = total
        self.onVersion = onVersion
        self.healthy = healthy
        self.failed = failed
        self.waiting = waiting
        self.applying = applying
        self.notStarted = notStarted
        self.gate = gate
        self.bakeLeft = bakeLeft
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.failedInstances = failedInstances
    }
}

/// One reason a wave's gate is closed, with the line `cloudctl rollout status` prints for it.
public struct GateNote: Sendable, Equatable {
    /// Which gate holds the wave (the page styles each).
    public enum Kind: String, Sendable, Equatable {
        case previousNotDone = "previous-wave"
        case overBudget = "over-budget"
        case baking
        case approval
    }

    public var kind: Kind
    public var text: String

    public init(kind: Kind, text: String) {
        self.kind = kind
        self.text = text
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
