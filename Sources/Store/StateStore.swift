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
    public var steps: [StepRecord]
}

/// A held per-instance lock.
public struct LockRecord: Sendable, Codable, Equatable {
    public var instance: String
    public var holder: String
    public var acquiredAt: Date
    public var leaseUntil: Date
}

/// Thrown by `acquireLock` when someone else holds an unexpired lease.
public struct LockHeldError: Error, Sendable, CustomStringConvertible {
    public var lock: LockRecord
    public init(lock: LockRecord) { self.lock = lock }
    public var description: String { "\(lock.instance) is locked by \(lock.holder) until \(lock.leaseUntil)" }
}

/// The SQLite state database: recorded instance state, operations, steps (the journal) and locks.
/// Thread-safe: every call is serialized on one connection.
public final class StateStore: @unchecked Sendable {
    // TODO(helper: Store) — placeholder bodies; signatures are the contract.
    public init(path: String) throws {}

    // MARK: recorded state
    public func recordedInstances() throws -> [RecordedInstance] { [] }
    public func recordedInstance(_ name: String) throws -> RecordedInstance? { nil }
    /// Inserts or replaces the instance row and its resources.
    public func saveRecorded(_ instance: RecordedInstance) throws {}

    // MARK: locks (lease-based; `now` injected for tests)
    /// Takes the lock, or takes over an expired lease; throws `LockHeldError` otherwise.
    public func acquireLock(instance: String, holder: String, lease: TimeInterval, now: Date) throws {}
    public func renewLock(instance: String, holder: String, lease: TimeInterval, now: Date) throws {}
    public func releaseLock(instance: String, holder: String) throws {}
    /// Removes the lock whoever holds it; returns the removed lock.
    @discardableResult public func forceUnlock(instance: String) throws -> LockRecord? { nil }
    public func locks() throws -> [LockRecord] { [] }

    // MARK: journal
    public func beginOperation(instance: String, kind: String, holder: String, now: Date) throws -> Int64 { 0 }
    public func finishOperation(_ id: Int64, result: OperationResult, error: String?, now: Date) throws {}
    /// Journals a step as `running` before it runs; returns its id.
    public func beginStep(operationId: Int64, instance: String, index: Int, step: PlanStep, now: Date) throws -> Int64 { 0 }
    public func finishStep(_ id: Int64, status: StepStatus, attempts: Int, cloudId: String?, note: String?, error: String?, now: Date) throws {}
    /// Records steps that never started (cancelled run or earlier failure).
    public func recordNotStarted(operationId: Int64, instance: String, steps: [(index: Int, step: PlanStep)], now: Date) throws {}
    /// Marks `running` steps/operations of an instance, left by a run that died, as `interrupted`; returns how many.
    @discardableResult public func markInterrupted(instance: String, now: Date) throws -> Int { 0 }

    // MARK: history
    /// Newest first; steps included.
    public func operations(instance: String?, limit: Int) throws -> [OperationRecord] { [] }
    public func lastOperation(instance: String) throws -> OperationRecord? { nil }
    /// Newest first.
    public func recentSteps(instance: String, limit: Int) throws -> [StepRecord] { [] }
}
