import Foundation
import FleetModel

/// Where cloudctl keeps recorded state, the journal, instance locks and history; SQLite is the first implementation.
///
/// Calls are `async` so an implementation can do its blocking I/O off Swift's cooperative thread pool.
/// Lock leases are measured by the backend's own clock, never the caller's: two hosts with skewed clocks must still
/// agree on whether a lease is live. `now` arguments only stamp journal rows.
public protocol StateBackend: Sendable {
    // MARK: recorded state

    /// Every recorded instance, sorted by name.
    func recordedInstances() async throws -> [RecordedInstance]
    func recordedInstance(_ name: String) async throws -> RecordedInstance?
    /// Inserts or replaces the instance and its resources; resources absent from `instance` are deleted.
    func saveRecorded(_ instance: RecordedInstance) async throws

    // MARK: journal

    /// Journals an operation as `running`; `run` ties it to the apply it belongs to (nil when unknown).
    func beginOperation(instance: String, kind: String, holder: String, run: RunInfo?, now: Date) async throws -> Int64
    func finishOperation(_ id: Int64, result: OperationResult, error: String?, now: Date) async throws
    /// Journals a step as `running` before it runs; returns its id.
    func beginStep(operationId: Int64, instance: String, index: Int, step: PlanStep, now: Date) async throws -> Int64
    func finishStep(
        _ id: Int64, status: StepStatus, attempts: Int, cloudId: String?, note: String?, error: String?,
        now: Date) async throws
    /// Records steps that never started (cancelled run or earlier failure).
    func recordNotStarted(
        operationId: Int64, instance: String, steps: [(index: Int, step: PlanStep)],
        now: Date) async throws
    /// Marks `running` steps and operations of an instance, left by a run that died, as `interrupted`; returns how
    /// many rows changed. Call only while holding the instance's lock, or a live run's steps would be marked too.
    @discardableResult func markInterrupted(instance: String, now: Date) async throws -> Int

    // MARK: locks

    /// Takes the lock for `lease` seconds, or takes over an expired lease; throws `LockHeldError` otherwise.
    /// Re-acquiring a lock one already holds extends it.
    func acquireLock(instance: String, holder: String, lease: TimeInterval) async throws
    /// Extends the holder's lease to `lease` seconds from now. Throws `LockHeldError` when someone else took it over,
    /// `StateBackendError.lockNotHeld` when it was released or force-unlocked.
    func renewLock(instance: String, holder: String, lease: TimeInterval) async throws
    /// Releases the holder's lock; a no-op when the holder does not hold it (any more).
    func releaseLock(instance: String, holder: String) async throws
    /// Removes the lock whoever holds it; returns the removed lock.
    @discardableResult func forceUnlock(instance: String) async throws -> LockRecord?
    /// Every lock (including expired leases), sorted by instance.
    func locks() async throws -> [LockRecord]

    // MARK: wave barriers (runners of one sharded apply wait for each other between waves)

    /// Inserts or replaces the record of (run, wave, shard).
    func recordWave(_ record: WaveRecord) async throws
    /// Every shard's record of one wave of a run, sorted by shard.
    func waveRecords(run: String, wave: Int) async throws -> [WaveRecord]
    /// Deletes one shard's records of a run: the shard starts the run over (a re-run after kill -9 or a failure).
    func clearWaves(run: String, shard: Int) async throws

    // MARK: history

    /// Operations matching `filter`, newest first, with their steps ordered by index; at most `limit`.
    func operations(matching filter: OperationFilter, limit: Int) async throws -> [OperationRecord]
    /// How many operations match `filter` (so a view can say how many a limit left out).
    func countOperations(matching filter: OperationFilter) async throws -> Int
    /// Steps of an instance, newest first.
    func recentSteps(instance: String, limit: Int) async throws -> [StepRecord]

    // MARK: rollout decisions (docs/rollouts.md)

    /// Appends a decision; the id is assigned by the backend.
    func recordRolloutDecision(_ decision: RolloutDecisionRecord) async throws
    /// Decisions about `version` (all versions when nil) made at or after `since` (all when nil), oldest first, at
    /// most `limit` of the newest. A backend without the decisions table yet (a read-only older file) returns none.
    func rolloutDecisions(version: Version?, since: Date?, limit: Int) async throws -> [RolloutDecisionRecord]
}

extension StateBackend {
    /// An operation that belongs to no recorded run.
    public func beginOperation(instance: String, kind: String, holder: String, now: Date) async throws -> Int64 {
        try await beginOperation(instance: instance, kind: kind, holder: holder, run: nil, now: now)
    }

    /// Operations started at or after `since` (all when nil), newest first, with their steps ordered by index.
    /// `instance` nil means every instance.
    public func operations(instance: String?, since: Date?, limit: Int) async throws -> [OperationRecord] {
        try await operations(matching: OperationFilter(instance: instance, since: since), limit: limit)
    }

    // Wave barriers are optional for a backend: one without them refuses `apply --shard` with a clear error instead
    // of failing to build.
    public func recordWave(_ record: WaveRecord) async throws { throw WaveBarriersUnsupported() }
    public func waveRecords(run: String, wave: Int) async throws -> [WaveRecord] { throw WaveBarriersUnsupported() }
    public func clearWaves(run: String, shard: Int) async throws { throw WaveBarriersUnsupported() }

    /// Newest first; steps included. `instance` nil means every instance.
    public func operations(instance: String?, limit: Int) async throws -> [OperationRecord] {
        try await operations(instance: instance, since: nil, limit: limit)
    }

    public func lastOperation(instance: String) async throws -> OperationRecord? {
        try await operations(instance: instance, limit: 1).first
    }
}
