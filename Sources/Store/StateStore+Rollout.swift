import Foundation
import FleetModel
import StateBackend

extension RolloutDecisionKind: SQLiteValueConvertible {}

/// Rollout decisions (`rollout advance`, `--approve`, halts), for the gates and `cloudctl history`.
extension SQLiteStateStore {
    public func recordRolloutDecision(_ decision: RolloutDecisionRecord) async throws {
        let instances = InstanceNamesColumn.text(decision.instances)
        try await perform { database in
            try database.run(
                """
                INSERT INTO rollout_decisions (version, kind, channel, wave, instances, actor, note, at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, decision.version, decision.kind, decision.channel, decision.wave, instances, decision.actor,
                decision.note, decision.at)
        }
    }

    public func rolloutDecisions(version: Version?, since: Date?, limit: Int) async throws -> [RolloutDecisionRecord] {
        try await perform { database in
            // A read-only open of a file from before migration 005 has no table: nothing was decided yet.
            guard try Self.hasTable("rollout_decisions", in: database) else { return [] }
            let rows = try database.query(
                """
                SELECT \(Self.rolloutDecisionColumns) FROM rollout_decisions
                WHERE (?1 IS NULL OR version = ?1) AND (?2 IS NULL OR at >= ?2) ORDER BY id DESC LIMIT ?3
                """, version, since, limit, row: Self.rolloutDecisionRecord)
            return rows.reversed()
        }
    }

    static let rolloutDecisionColumns = "id, version, kind, channel, wave, instances, actor, note, at"

    static func rolloutDecisionRecord(_ row: Statement) throws -> RolloutDecisionRecord {
        RolloutDecisionRecord(
            id: try row.column(0), version: try row.column(1), kind: try row.column(2),
            channel: try row.column(3), wave: try row.column(4),
            instances: InstanceNamesColumn.names(try row.column(5)),
            actor: try row.column(6), note: try row.column(7), at: try row.column(8))
    }
}
