import Foundation
import FleetModel
import StateBackend

extension WaveBarrierStatus: PostgresValueConvertible {}

/// Wave barriers of sharded applies (`apply --shard K/N`): runners on several machines meet through these rows.
extension PostgresStateStore {
    public func recordWave(_ record: WaveRecord) async throws {
        try await writing { connection, _ in
            try connection.execute(
                """
                INSERT INTO wave_barriers (\(Self.waveColumns)) VALUES ($1, $2, $3, $4, $5, $6, $7)
                ON CONFLICT (run, wave, shard) DO UPDATE SET shards = EXCLUDED.shards, status = EXCLUDED.status,
                    holder = EXCLUDED.holder, finished_at = EXCLUDED.finished_at
                """,
                [
                    record.run.postgresValue, record.wave.postgresValue, record.shard.postgresValue,
                    record.shards.postgresValue, record.status.postgresValue, record.holder.postgresValue,
                    record.finishedAt.postgresValue,
                ])
        }
    }

    public func waveRecords(run: String, wave: Int) async throws -> [WaveRecord] {
        try await perform { connection, _ in
            try connection.query(
                "SELECT \(Self.waveColumns) FROM wave_barriers WHERE run = $1 AND wave = $2 ORDER BY shard",
                [run.postgresValue, wave.postgresValue]
            ) { row in
                WaveRecord(
                    run: try row.column(0), wave: try row.column(1), shard: try row.column(2),
                    shards: try row.column(3), status: try row.column(4), holder: try row.column(5),
                    finishedAt: try row.column(6))
            }
        }
    }

    public func clearWaves(run: String, shard: Int) async throws {
        try await writing { connection, _ in
            try connection.execute(
                "DELETE FROM wave_barriers WHERE run = $1 AND shard = $2", [run.postgresValue, shard.postgresValue])
        }
    }

    private static let waveColumns = "run, wave, shard, shards, status, holder, finished_at"
}
