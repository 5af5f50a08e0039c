import Foundation
import StateBackend

/// Wave barriers of sharded applies: one row per (run, wave, shard), written when the shard finished the wave.
extension SQLiteStateStore {
    static let waveColumns = "run, wave, shard, shards, status, holder, finished_at"

    public func recordWave(_ record: WaveRecord) async throws {
        try await perform { database in
            try database.run(
                "INSERT OR REPLACE INTO wave_barriers (\(Self.waveColumns)) VALUES (?, ?, ?, ?, ?, ?, ?)",
                record.run, record.wave, record.shard, record.shards, record.status, record.holder, record.finishedAt)
        }
    }

    public func waveRecords(run: String, wave: Int) async throws -> [WaveRecord] {
        try await perform { database in
            try database.query(
                "SELECT \(Self.waveColumns) FROM wave_barriers WHERE run = ? AND wave = ? ORDER BY shard", run, wave,
                row: Self.waveRecord)
        }
    }

    static func waveRecord(_ row: Statement) throws -> WaveRecord {
        WaveRecord(
            run: try row.column(0), wave: try row.column(1), shard: try row.column(2),
            shards: try row.column(3), status: try row.column(4), holder: try row.column(5),
            finishedAt: try row.column(6))
    }

    public func clearWaves(run: String, shard: Int) async throws {
        try await perform { try $0.run("DELETE FROM wave_barriers WHERE run = ? AND shard = ?", run, shard) }
    }
}
