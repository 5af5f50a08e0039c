import Foundation
import FleetModel
import StateBackend

/// Read side for the fleet page: every instance's recent journal in two queries (one per table) instead of two
/// round trips per instance (10,000 instances would otherwise pay 20,000).
extension PostgresStateStore: BatchHistoryReading {
    public func batchHistories(_ instances: [String], operations: Int, steps: Int) async throws
        -> [String: InstanceHistory]
    {
        try await perform { connection, _ in
            try connection.transaction {
                // One snapshot for both queries, as SQLite's read transaction gives: an apply writing meanwhile
                // cannot make the steps disagree with the operations.
                try connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                // Each name once: a repeated name would bring its rows twice.
                let names = PostgresValue.textArray(Array(Set(instances)))
                // Per name, its newest rows through the (instance, id) index; the same columns as SQLite's batch.
                let operationRows = try connection.query(
                    """
                    SELECT o.id, o.instance, o.kind, o.holder, o.result, o.error, o.started_at, o.finished_at
                    FROM unnest($1::text[]) AS n(name) CROSS JOIN LATERAL (
                        SELECT * FROM operations WHERE instance = n.name ORDER BY id DESC LIMIT $2) AS o
                    """, [names, operations.postgresValue]
                ) { row in
                    OperationRecord(
                        id: try row.column(0), instance: try row.column(1), kind: try row.column(2),
                        holder: try row.column(3), result: try row.column(4), error: try row.column(5),
                        startedAt: try row.column(6), finishedAt: try row.column(7))
                }
                // The columns SQLite's batch reads (see `BatchHistoryReading`).
                let stepRows = try connection.query(
                    """
                    SELECT s.id, s.operation_id, s.instance, s.step_index, s.action, s.resource, s.status, s.attempts,
                        s.error, s.finished_at
                    FROM unnest($1::text[]) AS n(name) CROSS JOIN LATERAL (
                        SELECT * FROM steps WHERE instance = n.name ORDER BY id DESC LIMIT $2) AS s
                    """, [names, steps.postgresValue]
                ) { row in
                    StepRecord(
                        id: try row.column(0), operationId: try row.column(1), instance: try row.column(2),
                        index: try row.column(3), action: try row.column(4), resource: try row.column(5),
                        reason: "", inputsHash: "", status: try row.column(6), attempts: try row.column(7),
                        error: try row.column(8), finishedAt: try row.column(9))
                }
                var result: [String: InstanceHistory] = [:]
                result.reserveCapacity(instances.count)
                for name in instances { result[name] = InstanceHistory() }
                // Each lateral part comes out newest first, as the LIMIT read it; sorted again to not rely on that.
                for operation in operationRows { result[operation.instance]?.operations.append(operation) }
                for step in stepRows { result[step.instance]?.steps.append(step) }
                for name in instances {
                    result[name]?.operations.sort { $0.id > $1.id }
                    result[name]?.steps.sort { $0.id > $1.id }
                }
                return result
            }
        }
    }
}
