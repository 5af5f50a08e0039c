import Foundation
import FleetModel

/// Result of a journaled step. Raw values are stored in SQLite and shown in history.
public enum StepStatus: String, Sendable, Codable {
    case running, succeeded, failed
    /// Not started because the run was cancelled or an earlier step failed.
    case notStarted = "not-started"
    /// Found `running` from a run that died; the next run re-runs the step (ensures are idempotent).
    case interrupted
}

/// Result of one operation (one apply of one instance).
public enum OperationResult: String, Sendable, Codable {
    case running, succeeded, failed, cancelled, interrupted
    /// Not started: it has disruptive steps and is outside its maintenance window.
    case deferred
    /// Not started: another runner held its lock and the apply was told to skip locked instances (`--skip-locked`).
    /// Never journaled (the other runner's operation is the record).
    case skipped
}

/// One row of the journal's steps table.
public struct StepRecord: Sendable, Codable, Equatable {
    public var id: Int64
    public var operationId: Int64
    public var instance: String
    public var index: Int
    public var action: StepAction
    public var resource: ResourceKind
    public var reason: String
    public var inputsHash: String
    public var status: StepStatus
    public var attempts: Int
    public var cloudId: String?
    public var note: String?
    public var error: String?
    public var startedAt: Date?
    public var finishedAt: Date?

    public init(
        id: Int64, operationId: Int64, instance: String, index: Int, action: StepAction, resource: ResourceKind,
        reason: String, inputsHash: String, status: StepStatus, attempts: Int = 0, cloudId: String? = nil,
        note: String? = nil, error: String? = nil, startedAt: Date? = nil, finishedAt: Date? = nil
    ) {
        self.id = id
        self.operationId = operationId
        self.instance = instance
        self.index = index
        self.action = action
        self.resource = resource
        self.reason = reason
        self.inputsHash = inputsHash
        self.status = status
        self.attempts = attempts
        self.cloudId = cloudId
        self.note = note
        self.error = error
        self.startedAt = startedAt
        self.finishedAt = finishedAt
    }
}

/// One apply of one instance.
public struct OperationRecord: Sendable, Codable, Equatable {
    public var id: Int64
    public var instance: String
    /// e.g. `apply`; free text for future kinds.
    public var kind: String
    public var holder: String
    public var result: OperationResult
    public var error: String?
    public var startedAt: Date
    public var finishedAt: Date?
    /// The apply this operation belongs to; nil for operations journaled before runs were recorded.
    public var run: RunInfo?
    public var steps: [StepRecord]

    public init(
        id: Int64, instance: String, kind: String, holder: String, result: OperationResult, error: String? = nil,
        startedAt: Date, finishedAt: Date? = nil, run: RunInfo? = nil, steps: [StepRecord] = []
    ) {
        self.id = id
        self.instance = instance
        self.kind = kind
        self.holder = holder
        self.run = run
        self.result = result
        self.error = error
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.steps = steps
    }
}

/// A held per-instance lock.
public struct LockRecord: Sendable, Codable, Equatable {
    public var instance: String
    public var holder: String
    public var acquiredAt: Date
    public var leaseUntil: Date

    public init(instance: String, holder: String, acquiredAt: Date, leaseUntil: Date) {
        self.instance = instance
        self.holder = holder
        self.acquiredAt = acquiredAt
        self.leaseUntil = leaseUntil
    }
}

/// Thrown by `acquireLock` when someone else holds an unexpired lease.
public struct LockHeldError: Error, Sendable, CustomStringConvertible {
    public var lock: LockRecord
    public init(lock: LockRecord) { self.lock = lock }
    public var description: String { "\(lock.instance) is locked by \(lock.holder) until \(lock.leaseUntil)" }
}

/// One `cloudctl apply` process: every operation it journals carries the same run id and fleet commit.
public struct RunInfo: Sendable, Codable, Equatable {
    /// Unique per apply, e.g. `r-20261130T2042-3f9a1c`; `history --run` selects by it.
    public var id: String
    /// The fleet repository's `HEAD` commit; nil when it is not a git work tree.
    public var commit: String?
    /// True when the instance files differed from `commit` (uncommitted or untracked changes under `Instances/`).
    public var dirty: Bool

    public init(id: String, commit: String? = nil, dirty: Bool = false) {
        self.id = id
        self.commit = commit
        self.dirty = dirty
    }
}

/// Which operations a history query selects; nil fields select everything.
public struct OperationFilter: Sendable, Equatable {
    public var instance: String?
    /// A `RunInfo.id`.
    public var run: String?
    /// Operations started at or after it.
    public var since: Date?

    public init(instance: String? = nil, run: String? = nil, since: Date? = nil) {
        self.instance = instance
        self.run = run
        self.since = since
    }
}

/// How one shard left one wave of a sharded apply.
public enum WaveBarrierStatus: String, Sendable, Codable {
    /// Every instance of the wave in this shard was run (succeeded, deferred or skipped).
    case finished
    /// At least one instance of the wave in this shard failed: later waves must not start in any shard.
    case failed
}

/// One shard's mark at a wave boundary of a sharded apply; runners of one run meet through these rows.
public struct WaveRecord: Sendable, Codable, Equatable {
    /// What all shards of one run share (a hash of the plan's instances and the shard count).
    public var run: String
    public var wave: Int
    /// 1-based shard index.
    public var shard: Int
    public var shards: Int
    public var status: WaveBarrierStatus
    public var holder: String
    public var finishedAt: Date

    public init(
        run: String, wave: Int, shard: Int, shards: Int, status: WaveBarrierStatus, holder: String, finishedAt: Date
    ) {
        self.run = run
        self.wave = wave
        self.shard = shard
        self.shards = shards
        self.status = status
        self.holder = holder
        self.finishedAt = finishedAt
    }
}

/// Thrown by a backend that keeps no wave barriers: `apply --shard` cannot run on it.
public struct WaveBarriersUnsupported: Error, Sendable, CustomStringConvertible {
    public init() {}
    public var description: String {
        "this state backend keeps no wave barriers, so `apply --shard` cannot run on it; apply without --shard"
    }
}
