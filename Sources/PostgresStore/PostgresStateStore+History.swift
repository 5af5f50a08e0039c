import Foundation
import FleetModel
import StateBackend

/// Read side of the journal, for `cloudctl history` and `status`.
extension PostgresStateStore {
    /// Operations matching `filter`, newest first; steps included.
    public func operations(matching filter: OperationFilter, limit: Int) async throws -> [OperationRecord] {
        try await perform { connection, _ in
            var operations = try connection.query(
                """
                SELECT \(Self.operationColumns) FROM operations WHERE \(Self.filterClause) ORDER BY id DESC LIMIT $4
                """, Self.filterParameters(filter) + [limit.postgresValue], row: Self.operationRecord)
            let steps = try connection.query(
                "SELECT \(Self.stepColumns) FROM steps WHERE operation_id = ANY($1::bigint[]) ORDER BY step_index, id",
                [PostgresValue.integerArray(operations.map(\.id))], row: Self.stepRecord)
            let byOperation = Dictionary(grouping: steps, by: \.operationId)
            for position in operations.indices {
                operations[position].steps = byOperation[operations[position].id] ?? []
            }
            return operations
        }
    }

    public func countOperations(matching filter: OperationFilter) async throws -> Int {
        try await perform { connection, _ in
            try connection.query(
                "SELECT count(*) FROM operations WHERE \(Self.filterClause)", Self.filterParameters(filter)
            ) { try $0.column(0, as: Int.self) }.first ?? 0
        }
    }

    /// Parameters $1 instance, $2 since, $3 run id; each NULL selects everything.
    private static let filterClause = """
        ($1::text IS NULL OR instance = $1::text)
            AND ($2::double precision IS NULL OR started_at >= $2::double precision)
            AND ($3::text IS NULL OR run_id = $3::text)
        """

    private static func filterParameters(_ filter: OperationFilter) -> [PostgresValue] {
        [filter.instance.postgresValue, filter.since.postgresValue, filter.run.postgresValue]
    }

    public func recentSteps(instance: String, limit: Int) async throws -> [StepRecord] {
        try await perform { connection, _ in
            try connection.query(
                "SELECT \(Self.stepColumns) FROM steps WHERE instance = $1 ORDER BY id DESC LIMIT $2",
                [instance.postgresValue, limit.postgresValue], row: Self.stepRecord)
        }
    }

    static let operationColumns =
        "id, instance, kind, holder, result, error, started_at, finished_at, run_id, git_commit, git_dirty"

    static func operationRecord(_ row: Row) throws -> OperationRecord {
        let runId: String? = try row.column(8)
        let dirty: Bool? = try row.column(10)
        return OperationRecord(
            id: try row.column(0), instance: try row.column(1), kind: try row.column(2),
            holder: try row.column(3), result: try row.column(4), error: try row.column(5),
            startedAt: try row.column(6), finishedAt: try row.column(7),
            run: try runId.map { RunInfo(id: $0, commit: try row.column(9), dirty: dirty ?? false) })
    }

    static let stepColumns = """
        id, operation_id, instance, step_index, action, resource, reason, inputs_hash, status, attempts,
        cloud_id, note, error, started_at, finished_at
        """

    static func stepRecord(_ row: Row) throws -> StepRecord {
        StepRecord(
            id: try row.column(0), operationId: try row.column(1), instance: try row.column(2),
            index: try row.column(3), action: try row.column(4), resource: try row.column(5),
            reason: try row.column(6), inputsHash: try row.column(7), status: try row.column(8),
            attempts: try row.column(9), cloudId: try row.column(10), note: try row.column(11),
            error: try row.column(12), startedAt: try row.column(13), finishedAt: try row.column(14))
    }
}
