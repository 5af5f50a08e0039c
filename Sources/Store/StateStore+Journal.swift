import Foundation
import FleetModel
import StateBackend

/// The journal: every operation and every step is written before it runs and updated when it ends,
/// so a run that dies leaves `running` rows the next run marks `interrupted`.
extension SQLiteStateStore {
    public func beginOperation(
        instance: String, kind: String, holder: String, run: RunInfo?, now: Date
    ) async throws -> Int64 {
        try await perform { database in
            try database.run(
                """
                INSERT INTO operations (instance, kind, holder, result, started_at, run_id, git_commit, git_dirty)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
                instance, kind, holder, OperationResult.running, now, run?.id, run?.commit,
                run.map { $0.dirty ? 1 : 0 })
            return database.lastInsertRowID
        }
    }

    public func finishOperation(_ id: Int64, result: OperationResult, error: String?, now: Date) async throws {
        try await perform { database in
            let changed = try database.run(
                "UPDATE operations SET result = ?, error = ?, finished_at = ? WHERE id = ?",
                result, error, now, id)
            if changed == 0 { throw StateBackendError.unknownOperation(id) }
        }
    }

    /// Journals a step as `running` before it runs; returns its id.
    public func beginStep(operationId: Int64, instance: String, index: Int, step: PlanStep, now: Date) async throws
        -> Int64
    {
        try await perform { database in
            try Self.insertStep(
                operationId: operationId, instance: instance, index: index, step: step,
                status: .running, startedAt: now, finishedAt: nil, in: database)
        }
    }

    public func finishStep(
        _ id: Int64, status: StepStatus, attempts: Int, cloudId: String?, note: String?, error: String?, now: Date
    ) async throws {
        try await perform { database in
            let changed = try database.run(
                """
                UPDATE steps SET status = ?, attempts = ?, cloud_id = ?, note = ?, error = ?, finished_at = ? \
                WHERE id = ?
                """, status, attempts, cloudId, note, error, now, id)
            if changed == 0 { throw StateBackendError.unknownStep(id) }
        }
    }

    /// Records steps that never started (cancelled run or earlier failure).
    public func recordNotStarted(operationId: Int64, instance: String, steps: [(index: Int, step: PlanStep)], now: Date)
        async throws
    {
        try await writing { database in
            for (index, step) in steps {
                try Self.insertStep(
                    operationId: operationId, instance: instance, index: index, step: step,
                    status: .notStarted, startedAt: nil, finishedAt: now, in: database)
            }
        }
    }

    /// Marks `running` steps/operations of an instance, left by a run that died, as `interrupted`; returns how many
    /// rows changed. Call only while holding the instance's lock, or a live run's steps would be marked too.
    @discardableResult public func markInterrupted(instance: String, now: Date) async throws -> Int {
        try await writing { database in
            let steps = try database.run(
                "UPDATE steps SET status = ?, finished_at = ? WHERE instance = ? AND status = ?",
                StepStatus.interrupted, now, instance, StepStatus.running)
            let operations = try database.run(
                "UPDATE operations SET result = ?, finished_at = ? WHERE instance = ? AND result = ?",
                OperationResult.interrupted, now, instance, OperationResult.running)
            return steps + operations
        }
    }

    @discardableResult
    private static func insertStep(
        operationId: Int64, instance: String, index: Int, step: PlanStep, status: StepStatus,
        startedAt: Date?, finishedAt: Date?, in database: Database
    ) throws -> Int64 {
        do {
            try database.run(
                """
                INSERT INTO steps (operation_id, instance, step_index, action, resource, reason, inputs_hash, status, \
                started_at, finished_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, operationId, instance, index, step.action, step.resource, step.reasonText, step.inputsHash, status,
                startedAt, finishedAt)
        } catch let error as SQLiteError where error.isForeignKeyViolation {
            throw StateBackendError.unknownOperation(operationId)
        }
        return database.lastInsertRowID
    }
}
