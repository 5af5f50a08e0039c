import Foundation
import StateBackend

/// Per-instance leases by the server's clock, each with a fencing token (a new one on every takeover).
extension PostgresStateStore {
    public func acquireLock(instance: String, holder: String, lease: TimeInterval) async throws {
        try await perform { connection, store in
            // A lock released between the insert and the read of its holder is simply tried again.
            for _ in 0..<3 {
                if let token = try Self.take(instance, holder: holder, lease: lease, in: connection) {
                    store.setFence(Fence(holder: holder, token: token), for: instance)
                    return
                }
                let current = try connection.query(
                    "SELECT \(Self.lockColumns) FROM locks WHERE instance = $1", [instance.postgresValue],
                    row: Self.lockRow)
                if let current = current.first { throw LockHeldError(lock: current.record) }
            }
            throw StateBackendError.lockNotHeld(instance: instance, holder: holder)
        }
    }

    /// Takes a free or expired lock, or extends one's own; returns its token, nil when someone else holds it.
    /// Re-acquiring one's own lock keeps its token: the holder's writes stay valid.
    private static func take(
        _ instance: String, holder: String, lease: TimeInterval, in connection: Connection
    ) throws -> Int64? {
        try connection.query(
            """
            INSERT INTO locks (instance, holder, acquired_at, lease_until, token)
            VALUES ($1, $2, \(databaseNow), \(databaseNow) + $3::double precision, nextval('lock_tokens'))
            ON CONFLICT (instance) DO UPDATE SET holder = excluded.holder, acquired_at = excluded.acquired_at,
                lease_until = excluded.lease_until,
                token = CASE WHEN locks.holder = excluded.holder THEN locks.token ELSE excluded.token END
            WHERE locks.lease_until <= excluded.acquired_at OR locks.holder = excluded.holder
            RETURNING token
            """, [instance.postgresValue, holder.postgresValue, lease.postgresValue]
        ) { try $0.column(0, as: Int64.self) }.first
    }

    public func renewLock(instance: String, holder: String, lease: TimeInterval) async throws {
        try await perform { connection, store in
            let fence = store.fence(for: instance)
            let changed = try connection.execute(
                """
                UPDATE locks SET lease_until = \(Self.databaseNow) + $1::double precision
                WHERE instance = $2 AND holder = $3 AND ($4::bigint IS NULL OR token = $4::bigint)
                """,
                [
                    lease.postgresValue, instance.postgresValue, holder.postgresValue,
                    fence?.token.postgresValue ?? PostgresValue(text: nil),
                ]
            ).changed
            guard changed == 0 else { return }
            let current = try connection.query(
                "SELECT \(Self.lockColumns) FROM locks WHERE instance = $1", [instance.postgresValue],
                row: Self.lockRow)
            if let current = current.first { throw LockHeldError(lock: current.record) }
            throw StateBackendError.lockNotHeld(instance: instance, holder: holder)
        }
    }

    public func releaseLock(instance: String, holder: String) async throws {
        try await perform { connection, store in
            let fence = store.fence(for: instance)
            try connection.execute(
                "DELETE FROM locks WHERE instance = $1 AND holder = $2 AND ($3::bigint IS NULL OR token = $3::bigint)",
                [instance.postgresValue, holder.postgresValue, fence?.token.postgresValue ?? PostgresValue(text: nil)])
            if fence?.holder == holder { store.setFence(nil, for: instance) }
        }
    }

    @discardableResult public func forceUnlock(instance: String) async throws -> LockRecord? {
        try await perform { connection, store in
            store.setFence(nil, for: instance)
            return try connection.query(
                "DELETE FROM locks WHERE instance = $1 RETURNING \(Self.lockColumns)", [instance.postgresValue],
                row: Self.lockRow
            ).first?.record
        }
    }

    public func locks() async throws -> [LockRecord] {
        try await perform { connection, _ in
            try connection.query("SELECT \(Self.lockColumns) FROM locks ORDER BY instance", row: Self.lockRow)
                .map(\.record)
        }
    }
}
