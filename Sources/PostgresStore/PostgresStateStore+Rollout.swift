import Foundation
import FleetModel
import StateBackend

extension RolloutDecisionKind: PostgresValueConvertible {}

/// Rollout decisions (`rollout advance`, `--approve`, halts), for the gates and `cloudctl history`.
extension PostgresStateStore {
    public func recordRolloutDecision(_ decision: RolloutDecisionRecord) async throws {
        let instances = InstanceNamesColumn.text(decision.instances)
        try await writing { connection, _ in
            try connection.execute(
                """
                INSERT INTO rollout_decisions (version, kind, channel, wave, instances, actor, note, at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                """,
                [
                    decision.version.postgresValue, decision.kind.postgresValue, decision.channel.postgresValue,
                    decision.wave.postgresValue, instances.postgresValue, decision.actor.postgresValue,
                    decision.note.postgresValue, decision.at.postgresValue,
                ])
        }
    }

    /// Oldest first, the newest `limit` of them.
    public func rolloutDecisions(version: Version?, since: Date?, limit: Int) async throws -> [RolloutDecisionRecord] {
        try await perform { connection, _ in
            let rows = try connection.query(
                """
                SELECT id, version, kind, channel, wave, instances, actor, note, at FROM rollout_decisions
                WHERE ($1::text IS NULL OR version = $1::text)
                    AND ($2::double precision IS NULL OR at >= $2::double precision)
                ORDER BY id DESC LIMIT $3
                """, [version.postgresValue, since.postgresValue, limit.postgresValue]
            ) { row in
                RolloutDecisionRecord(
                    id: try row.column(0), version: try row.column(1), kind: try row.column(2),
                    channel: try row.column(3), wave: try row.column(4),
                    instances: InstanceNamesColumn.names(try row.column(5)),
                    actor: try row.column(6), note: try row.column(7), at: try row.column(8))
            }
            return rows.reversed()
        }
    }
}
