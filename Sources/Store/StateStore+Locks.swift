import Foundation
import StateBackend

/// Per-instance leases. Each change is one statement or one IMMEDIATE transaction, so it is atomic
/// across processes sharing the file: two runs can never both believe they hold an instance.
extension SQLiteStateStore {
    private static let lockColumns = "instance, holder, acquired_at, lease_until"
    /// SQLite's own clock in the stored date format (seconds since 2001-01-01 UTC, JD 2451910.5), so every process
    /// sharing the file measures leases by one clock whatever its own says. `now` is fixed within one statement.
    static let databaseNow = "((julianday('now') - 2451910.5) * 86400.0)"

    public func acquireLock(instance: String, holder: String, lease: TimeInterval) async throws {
        try await writing { database in
            let changed = try database.run(
                """
                INSERT INTO locks (\(Self.lockColumns)) VALUES (?1, ?2, \(Self.databaseNow), \(Self.databaseNow) + ?3)
                ON CONFLICT (instance) DO UPDATE SET holder = excluded.holder, acquired_at = excluded.acquired_at,
                    lease_until = excluded.lease_until
                WHERE locks.lease_until <= excluded.acquired_at OR locks.holder = excluded.holder
                """, instance, holder, lease)
            if changed == 0, let current = try Self.lock(instance, in: database) { throw LockHeldError(lock: current) }
        }
    }

    public func renewLock(instance: String, holder: String, lease: TimeInterval) async throws {
        try await writing { database in
            let changed = try database.run(
                """
                UPDATE locks SET lease_until = \(Self.databaseNow) + ?1 WHERE instance = ?2 AND holder = ?3
                """, lease, instance, holder)
            guard changed == 0 else { return }
            if let current = try Self.lock(instance, in: database) { throw LockHeldError(lock: current) }
            throw StateBackendError.lockNotHeld(instance: instance, holder: holder)
        }
    }

    public func releaseLock(instance: String, holder: String) async throws {
        try await perform { try $0.run("DELETE FROM locks WHERE instance = ? AND holder = ?", instance, holder) }
    }

    @discardableResult public func forceUnlock(instance: String) async throws -> LockRecord? {
        try await perform { database in
            try database.query(
                "DELETE FROM locks WHERE instance = ? RETURNING \(Self.lockColumns)", instance, row: Self.lockRecord
            ).first
        }
    }

    public func locks() async throws -> [LockRecord] {
        try await perform {
            try $0.query("SELECT \(Self.lockColumns) FROM locks ORDER BY instance", row: Self.lockRecord)
        }
    }

    private static func lock(_ instance: String, in database: Database) throws -> LockRecord? {
        try database.query("SELECT \(lockColumns) FROM locks WHERE instance = ?", instance, row: lockRecord).first
    }

    private static func lockRecord(_ row: Statement) throws -> LockRecord {
        LockRecord(
            instance: try row.column(0), holder: try row.column(1), acquiredAt: try row.column(2),
            leaseUntil: try row.column(3))
    }
}
