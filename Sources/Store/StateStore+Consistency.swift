import Foundation
import StateBackend

/// `cloudctl state check` on SQLite.
extension SQLiteStateStore: ConsistencyChecking {
    public func consistencyProblems() async throws -> [ConsistencyProblem] {
        try await perform { database in
            let running = try database.query(
                """
                SELECT s.instance, s.id, s.step_index FROM steps s WHERE s.status = ? AND NOT EXISTS (
                    SELECT 1 FROM locks l WHERE l.instance = s.instance AND l.lease_until > \(Self.databaseNow))
                ORDER BY s.instance, s.id
                """, StepStatus.running
            ) { row in
                ConsistencyProblem(
                    kind: .runningWithoutLock, instance: try row.column(0),
                    detail: "step \(try row.column(2, as: Int.self) + 1) (id \(try row.column(1, as: Int64.self)))")
            }
            let orphaned = try database.query(
                """
                SELECT r.instance, r.kind FROM resources r
                WHERE NOT EXISTS (SELECT 1 FROM operations o WHERE o.instance = r.instance) ORDER BY r.instance, r.kind
                """
            ) { row in
                ConsistencyProblem(
                    kind: .resourceWithoutOperation, instance: try row.column(0), detail: try row.column(1))
            }
            return (running + orphaned).sorted { $0.instance < $1.instance }
        }
    }
}
