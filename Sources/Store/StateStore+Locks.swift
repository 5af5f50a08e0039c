import Foundation

/// A held per-instance lock.
public struct LockRecord: Sendable, Codable, Equatable {
    public var instance: String
    public var holder: String
    public var acquiredAt: Date
    public var leaseUntil: Date

    public init(instance: String, holder: String, acquiredAt: Date, leaseUntil: Date) {
        self.instance = instance; self.holder = holder; self.acquiredAt = acquiredAt; self.leaseUntil = leaseUntil
    }
}

/// Thrown by `acquireLock` when someone else holds an unexpired lease.
public struct LockHeldError: Error, Sendable, CustomStringConvertible {
    public var lock: LockRecord
    public init(lock: LockRecord) { self.lock = lock }
    public var description: String { "\(lock.instance) is locked by \(lock.holder) until \(lock.leaseUntil)" }
}

/// Per-instance leases. Each change is one statement or one IMMEDIATE transaction, so it is atomic
/// across processes sharing the file: two runs can never both believe they hold an instance.
extension StateStore {
    private static let lockColumns = "instance, holder, acquired_at, lease_until"

    /// Takes the lock, or takes over an expired lease; throws `LockHeldError` otherwise.
    /// Re-acquiring a lock one already holds extends it.
    public func acquireLock(instance: String, holder: String, lease: TimeInterval, now: Date) throws {
        try writing { database in
            let changed = try database.run("""
                INSERT INTO locks (\(Self.lockColumns)) VALUES (?1, ?2, ?3, ?4)
                ON CONFLICT (instance) DO UPDATE SET holder = excluded.holder, acquired_at = excluded.acquired_at,
                    lease_until = excluded.lease_until
                WHERE locks.lease_until <= excluded.acquired_at OR locks.holder = excluded.holder
                """, instance, holder, now, now.addingTimeInterval(lease))
            if changed == 0, let current = try Self.lock(instance, in: database) { throw LockHeldError(lock: current) }
        }
    }

    /// Extends the holder's lease. Throws `LockHeldError` when someone else took it over,
    /// `StateStoreError.lockNotHeld` when it was released or force-unlocked.
    public func renewLock(instance: String, holder: String, lease: TimeInterval, now: Date) throws {
        try writing { database in
            let changed = try database.run("UPDATE locks SET lease_until = ? WHERE instance = ? AND holder = ?",
                                           now.addingTimeInterval(lease), instance, holder)
            guard changed == 0 else { return }
            if let current = try Self.lock(instance, in: database) { throw LockHeldError(lock: current) }
            throw StateStoreError.lockNotHeld(instance: instance, holder: holder)
        }
    }

    /// Releases the holder's lock; a no-op when the holder does not hold it (any more).
    public func releaseLock(instance: String, holder: String) throws {
        try serialized { try $0.run("DELETE FROM locks WHERE instance = ? AND holder = ?", instance, holder) }
    }

    /// Removes the lock whoever holds it; returns the removed lock.
    @discardableResult public func forceUnlock(instance: String) throws -> LockRecord? {
        try serialized { database in
            try database.query("DELETE FROM locks WHERE instance = ? RETURNING \(Self.lockColumns)", instance, row: Self.lockRecord).first
        }
    }

    /// Every lock row (including expired leases), sorted by instance.
    public func locks() throws -> [LockRecord] {
        try serialized { try $0.query("SELECT \(Self.lockColumns) FROM locks ORDER BY instance", row: Self.lockRecord) }
    }

    private static func lock(_ instance: String, in database: Database) throws -> LockRecord? {
        try database.query("SELECT \(lockColumns) FROM locks WHERE instance = ?", instance, row: lockRecord).first
    }

    private static func lockRecord(_ row: Statement) throws -> LockRecord {
        LockRecord(instance: try row.column(0), holder: try row.column(1), acquiredAt: try row.column(2), leaseUntil: try row.column(3))
    }
}
