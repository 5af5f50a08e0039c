import Foundation
import StateBackend

/// `cloudctl state check` on SQLite.
extension SQLiteStateStore: ConsistencyChecking {
    public func consistencyProblems() async throws -> [ConsistencyProblem] {
        try await perform { database in
            let running = try database.query(
                ConsistencyQueries.runningWithoutLock(statusPlaceholder: "?", now: Self.databaseNow),
                StepStatus.running
            ) { row in
                ConsistencyProblem.runningWithoutLock(
                    instance: try row.column(0), stepID: try row.column(1), stepIndex: try row.column(2))
            }
            let orphaned = try database.query(ConsistencyQueries.resourceWithoutOperation) { row in
                ConsistencyProblem.resourceWithoutOperation(instance: try row.column(0), kind: try row.column(1))
            }
            return (running + orphaned).sorted { $0.instance < $1.instance }
        }
    }
}
