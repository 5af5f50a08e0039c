import Foundation
import FleetModel
import StateBackend

/// Read side of the journal, for `cloudctl history` and `status`.
extension SQLiteStateStore {
    /// Operations matching `filter` ("what happened last night?"), newest first; steps included.
    public func operations(matching filter: OperationFilter, limit: Int) async throws -> [OperationRecord] {
        try await perform { database in
            let operations = try database.query(
                """
                SELECT \(Self.operationColumns)
                FROM operations WHERE \(Self.filterClause(filter)) ORDER BY id DESC LIMIT ?4
                """, filter.instance, filter.since, filter.run, limit, row: Self.operationRecord)
            return try operations.map { operation in
                var operation = operation
                operation.steps = try database.query(
                    "SELECT \(Self.stepColumns) FROM steps WHERE operation_id = ? ORDER BY step_index, id",
                    operation.id, row: Self.stepRecord)
                return operation
            }
        }
    }

    public func countOperations(matching filter: OperationFilter) async throws -> Int {
        try await perform { database in
            try database.query(
                "SELECT count(*) FROM operations WHERE \(Self.filterClause(filter))", filter.instance, filter.since,
                filter.run
            ) { row in try row.column(0, as: Int.self) }.first ?? 0
        }
    }

    /// Parameters ?1 instance, ?2 since, ?3 run id; each NULL selects everything. The clause names only the filters
    /// that are set: SQLite cannot use an index for `?1 IS NULL OR instance = ?1`, so one instance's last operation
    /// would scan the whole journal (10,000 of them took `status` minutes).
    static func filterClause(_ filter: OperationFilter) -> String {
        [
            filter.instance == nil ? "?1 IS NULL" : "instance = ?1",
            filter.since == nil ? "?2 IS NULL" : "started_at >= ?2",
            filter.run == nil ? "?3 IS NULL" : "run_id = ?3",
        ].joined(separator: " AND ")
    }

    /// Newest first.
    public func recentSteps(instance: String, limit: Int) async throws -> [StepRecord] {
        try await perform { database in
            try database.query(
                "SELECT \(Self.stepColumns) FROM steps WHERE instance = ? ORDER BY id DESC LIMIT ?",
                instance, limit, row: Self.stepRecord)
        }
    }

    static let operationColumns =
        "id, instance, kind, holder, result, error, started_at, finished_at, run_id, git_commit, git_dirty"

    /// A row of `operationColumns`, without its steps.
    static func operationRecord(_ row: Statement) throws -> OperationRecord {
        let runId: String? = try row.column(8)
        let dirty: Int? = try row.column(10)
        return OperationRecord(
            id: try row.column(0), instance: try row.column(1), kind: try row.column(2),
            holder: try row.column(3), result: try row.column(4), error: try row.column(5),
            startedAt: try row.column(6), finishedAt: try row.column(7),
            run: try runId.map { RunInfo(id: $0, commit: try row.column(9), dirty: dirty == 1) })
    }

    static let stepColumns = """
        id, operation_id, instance, step_index, action, resource, reason, inputs_hash, status, attempts,
        cloud_id, note, error, started_at, finished_at
        """

    static func stepRecord(_ row: Statement) throws -> StepRecord {
        StepRecord(
            id: try row.column(0), operationId: try row.column(1), instance: try row.column(2),
            index: try row.column(3),
            action: try row.column(4), resource: try row.column(5), reason: try row.column(6),
            inputsHash: try row.column(7), status: try row.column(8), attempts: try row.column(9),
            cloudId: try row.column(10), note: try row.column(11), error: try row.column(12),
            startedAt: try row.column(13), finishedAt: try row.column(14))
    }
}
