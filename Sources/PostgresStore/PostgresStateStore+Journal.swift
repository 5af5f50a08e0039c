import Foundation
import FleetModel
import StateBackend

/// The journal, as in the SQLite store; every write is fenced by the instance's lock token (see `checkFence`).
extension PostgresStateStore {
    public func beginOperation(
        instance: String, kind: String, holder: String, run: RunInfo?, now: Date
    ) async throws -> Int64 {
        try await writing { connection, store in
            try store.checkFence(instance, in: connection)
            return try connection.query(
                """
                INSERT INTO operations (instance, kind, holder, result, started_at, run_id, git_commit, git_dirty)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id
                """,
                [
                    instance.postgresValue, kind.postgresValue, holder.postgresValue,
                    OperationResult.running.postgresValue, now.postgresValue, (run?.id).postgresValue,
                    (run?.commit).postgresValue, (run?.dirty).postgresValue,
                ]
            ) { try $0.column(0, as: Int64.self) }[0]
        }
    }

    public func finishOperation(_ id: Int64, result: OperationResult, error: String?, now: Date) async throws {
        try await writing { connection, store in
            let instance = try connection.query(
                "SELECT instance FROM operations WHERE id = $1 FOR UPDATE", [id.postgresValue]
            ) { try $0.column(0, as: String.self) }
            guard let instance = instance.first else { throw StateBackendError.unknownOperation(id) }
            try store.checkFence(instance, in: connection)
            try connection.execute(
                "UPDATE operations SET result = $1, error = $2, finished_at = $3 WHERE id = $4",
                [result.postgresValue, error.postgresValue, now.postgresValue, id.postgresValue])
        }
    }

    public func beginStep(operationId: Int64, instance: String, index: Int, step: PlanStep, now: Date) async throws
        -> Int64
    {
        try await writing { connection, store in
            try store.checkFence(instance, in: connection)
            return try Self.insertStep(
                operationId: operationId, instance: instance, index: index, step: step, status: .running,
                startedAt: now, finishedAt: nil, in: connection)
        }
    }

    public func finishStep(
        _ id: Int64, status: StepStatus, attempts: Int, cloudId: String?, note: String?, error: String?, now: Date
    ) async throws {
        try await writing { connection, store in
            let instance = try connection.query(
                "SELECT instance FROM steps WHERE id = $1 FOR UPDATE", [id.postgresValue]
            ) { try $0.column(0, as: String.self) }
            guard let instance = instance.first else { throw StateBackendError.unknownStep(id) }
            try store.checkFence(instance, in: connection)
            try connection.execute(
                """
                UPDATE steps SET status = $1, attempts = $2, cloud_id = $3, note = $4, error = $5, finished_at = $6
                WHERE id = $7
                """,
                [
                    status.postgresValue, attempts.postgresValue, cloudId.postgresValue, note.postgresValue,
                    error.postgresValue, now.postgresValue, id.postgresValue,
                ])
        }
    }

    public func recordNotStarted(
        operationId: Int64, instance: String, steps: [(index: Int, step: PlanStep)], now: Date
    ) async throws {
        let steps = steps.map { (index: $0.index, step: $0.step) as (Int, PlanStep) }
        try await writing { connection, store in
            try store.checkFence(instance, in: connection)
            for (index, step) in steps {
                try Self.insertStep(
                    operationId: operationId, instance: instance, index: index, step: step, status: .notStarted,
                    startedAt: nil, finishedAt: now, in: connection)
            }
        }
    }

    @discardableResult public func markInterrupted(instance: String, now: Date) async throws -> Int {
        try await writing { connection, store in
            try store.checkFence(instance, in: connection)
            let steps = try connection.execute(
                "UPDATE steps SET status = $1, finished_at = $2 WHERE instance = $3 AND status = $4",
                [
                    StepStatus.interrupted.postgresValue, now.postgresValue, instance.postgresValue,
                    StepStatus.running.postgresValue,
                ])
            let operations = try connection.execute(
                "UPDATE operations SET result = $1, finished_at = $2 WHERE instance = $3 AND result = $4",
                [
                    OperationResult.interrupted.postgresValue, now.postgresValue, instance.postgresValue,
                    OperationResult.running.postgresValue,
                ])
            return steps.changed + operations.changed
        }
    }

    @discardableResult
    private static func insertStep(
        operationId: Int64, instance: String, index: Int, step: PlanStep, status: StepStatus,
        startedAt: Date?, finishedAt: Date?, in connection: Connection
    ) throws -> Int64 {
        do {
            return try connection.query(
                """
                INSERT INTO steps (operation_id, instance, step_index, action, resource, reason, inputs_hash, status,
                    started_at, finished_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id
                """,
                [
                    operationId.postgresValue, instance.postgresValue, index.postgresValue, step.action.postgresValue,
                    step.resource.postgresValue, step.reasonText.postgresValue, step.inputsHash.postgresValue,
                    status.postgresValue, startedAt.postgresValue, finishedAt.postgresValue,
                ]
            ) { try $0.column(0, as: Int64.self) }[0]
        } catch let error as PostgresError where error.sqlState == "23503" {
            // foreign_key_violation: no such operation.
            throw StateBackendError.unknownOperation(operationId)
        }
    }
}
