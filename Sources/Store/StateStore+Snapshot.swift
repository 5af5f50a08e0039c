import Foundation
import FleetModel
import StateBackend

/// `cloudctl state copy`'s read side: the whole file, read in one transaction.
extension SQLiteStateStore {
    /// Recorded state, the journal, rollout decisions and wave barrier marks; locks are not state. Tables an older
    /// file opened read-only lacks (migrations 006, 007) read as empty.
    public func snapshot() async throws -> StateSnapshot {
        try await perform { [hasLabels] database in
            // One snapshot: an apply writing meanwhile cannot make the parts of the copy disagree.
            try database.execute("BEGIN")
            defer { try? database.execute("COMMIT") }
            let steps = Dictionary(
                grouping: try database.query(
                    "SELECT \(Self.stepColumns) FROM steps ORDER BY step_index, id", row: Self.stepRecord),
                by: \.operationId)
            let operations = try database.query(
                "SELECT \(Self.operationColumns) FROM operations ORDER BY id", row: Self.operationRecord
            ).map { operation in
                var operation = operation
                operation.steps = steps[operation.id] ?? []
                return operation
            }
            let decisions =
                try Self.hasTable("rollout_decisions", in: database)
                ? try database.query(
                    "SELECT \(Self.rolloutDecisionColumns) FROM rollout_decisions ORDER BY id",
                    row: Self.rolloutDecisionRecord)
                : []
            let waves =
                try Self.hasTable("wave_barriers", in: database)
                ? try database.query(
                    "SELECT \(Self.waveColumns) FROM wave_barriers ORDER BY run, wave, shard", row: Self.waveRecord)
                : []
            return StateSnapshot(
                fleet: try Self.recordedFleet(in: database),
                instances: try Self.recorded(in: database, name: nil, labels: hasLabels),
                operations: operations, rolloutDecisions: decisions, waveRecords: waves)
        }
    }

    static func hasTable(_ name: String, in database: Database) throws -> Bool {
        try !database.query(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", name, row: { _ in true }
        ).isEmpty
    }
}
