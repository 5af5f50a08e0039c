import Dispatch
import Foundation
import FleetModel
import StateBackend

/// The PostgreSQL state backend: the same recorded state, journal, history and locks as the SQLite store, in a
/// database several runners on several machines share.
///
/// Thread-safe: every call runs on one serial queue that owns the connection, so libpq's blocking I/O never holds a
/// thread of Swift's cooperative pool. Lock leases are measured by the server's clock. Each lock carries a fencing
/// token; once this store holds an instance's lock, every journal and state write for that instance checks, in its
/// own transaction, that the lock still carries that token, so a runner whose lease was taken over writes nothing.
public final class PostgresStateStore: StateBackend, @unchecked Sendable {
    public let location: PostgresLocation
    private let connection: Connection
    /// Owns `connection` and `fences`: all access is serialized here.
    private let queue: DispatchQueue
    /// The lock tokens this store took, by instance; read and written on `queue` only.
    private var fences: [String: Fence] = [:]
    /// Whether `resources` has the `labels` column (migration 002): a read-only open of an older schema has not.
    private let hasLabels: Bool

    /// A lock this store took: its holder and fencing token.
    struct Fence {
        var holder: String
        var token: Int64
    }

    /// How a command uses the database; the same cases as the SQLite store's.
    public enum Access: Sendable {
        /// Reads only: the schema must exist; nothing is created, migrated or written.
        case readOnly
        /// Reads and writes: migrates the schema; `create` makes it in an empty database.
        case readWrite(create: Bool)
    }

    /// Connects and, for writing, migrates the schema. With `fleet`, refuses a database that belongs to another
    /// fleet; a writing open of one that belongs to none yet records `fleet` as its owner unless `claim` is false.
    public init(
        _ location: PostgresLocation, access: Access = .readWrite(create: true), fleet: String? = nil,
        claim: Bool = true
    ) throws {
        self.location = location
        queue = DispatchQueue(label: "cloudctl.state.postgres")
        do {
            connection = try Connection(location)
            switch access {
            case .readOnly:
                // Enforced by the server too: a read-only command cannot write by mistake.
                try connection.setSession("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
                guard try PostgresMigrations.checkReadable(connection: connection) else {
                    throw StateBackendError.missing(path: location.redacted)
                }
                hasLabels =
                    try connection.query(
                        """
                        SELECT EXISTS (SELECT 1 FROM information_schema.columns
                            WHERE table_schema = current_schema() AND table_name = 'resources'
                                AND column_name = 'labels')
                        """
                    ) { try $0.column(0, as: Bool.self) }.first ?? false
                if let fleet { try Self.checkFleet(fleet, in: connection, claim: false) }
            case .readWrite(let create):
                if !create, try !PostgresMigrations.checkReadable(connection: connection) {
                    throw StateBackendError.missing(path: location.redacted)
                }
                try PostgresMigrations.apply(to: connection)
                hasLabels = true
                if let fleet { try Self.checkFleet(fleet, in: connection, claim: claim) }
            }
        } catch {
            throw Self.backendError(error, location: location)
        }
    }

    /// Opens the database read-only if it holds state; nil when it has no schema yet (read-only commands create
    /// nothing). An unreachable server is an error, not "no state".
    public static func openIfExists(_ location: PostgresLocation, fleet: String? = nil) throws -> PostgresStateStore? {
        do {
            return try PostgresStateStore(location, access: .readOnly, fleet: fleet)
        } catch StateBackendError.missing {
            return nil
        }
    }

    /// The fleet the database belongs to; nil when none is recorded yet.
    public func fleet() async throws -> String? {
        try await perform { connection, _ in try Self.recordedFleet(in: connection) }
    }

    private static func recordedFleet(in connection: Connection) throws -> String? {
        try connection.query("SELECT value FROM meta WHERE key = 'fleet'") { try $0.column(0, as: String.self) }.first
    }

    private static func checkFleet(_ fleet: String, in connection: Connection, claim: Bool) throws {
        if claim {
            // Two first applies racing both claim; the loser reads the winner's name below.
            try connection.execute(
                "INSERT INTO meta (key, value) VALUES ('fleet', $1) ON CONFLICT (key) DO NOTHING",
                [fleet.postgresValue])
        }
        if let recorded = try recordedFleet(in: connection), recorded != fleet {
            throw StateBackendError.otherFleet(path: connection.location.redacted, recorded: recorded, files: fleet)
        }
    }

    /// Runs `body` on the store's queue without blocking the calling task's thread.
    @discardableResult
    func perform<T: Sendable>(
        _ body: @escaping @Sendable (Connection, PostgresStateStore) throws -> T
    ) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { [self] in
                do {
                    try connection.reconnectIfNeeded()
                    continuation.resume(returning: try body(connection, self))
                } catch {
                    continuation.resume(throwing: Self.backendError(error, location: location))
                }
            }
        }
    }

    /// Like `perform`, inside a transaction.
    @discardableResult
    func writing<T: Sendable>(
        _ body: @escaping @Sendable (Connection, PostgresStateStore) throws -> T
    ) async throws -> T {
        try await perform { connection, store in try connection.transaction { try body(connection, store) } }
    }

    /// libpq failures become the backend-neutral error; other errors (already typed) pass through.
    static func backendError(_ error: any Error, location: PostgresLocation) -> any Error {
        (error as? PostgresError)?.backendError(location) ?? error
    }

    /// The server's clock in the stored date format; fixed within one transaction.
    static let databaseNow = "(extract(epoch from now())::double precision - 978307200.0)"

    // MARK: fencing (on the queue)

    func fence(for instance: String) -> Fence? { fences[instance] }
    func setFence(_ fence: Fence?, for instance: String) { fences[instance] = fence }

    /// Inside a write transaction: throws unless the lock this store took on `instance` (if any) still carries its
    /// token. The row lock (FOR SHARE) keeps a takeover from committing until this transaction ends.
    func checkFence(_ instance: String, in connection: Connection) throws {
        guard let fence = fences[instance] else { return }
        let current = try connection.query(
            "SELECT \(Self.lockColumns) FROM locks WHERE instance = $1 FOR SHARE", [instance.postgresValue],
            row: Self.lockRow)
        guard let lock = current.first else {
            throw StateBackendError.lockNotHeld(instance: instance, holder: fence.holder)
        }
        if lock.token != fence.token { throw LockHeldError(lock: lock.record) }
    }

    static let lockColumns = "instance, holder, acquired_at, lease_until, token"

    static func lockRow(_ row: Row) throws -> (record: LockRecord, token: Int64) {
        (
            LockRecord(
                instance: try row.column(0), holder: try row.column(1), acquiredAt: try row.column(2),
                leaseUntil: try row.column(3)),
            try row.column(4)
        )
    }

    // MARK: recorded state

    public func recordedInstances() async throws -> [RecordedInstance] {
        try await perform { [hasLabels] connection, _ in
            try Self.recorded(in: connection, name: nil, labels: hasLabels)
        }
    }

    public func recordedInstance(_ name: String) async throws -> RecordedInstance? {
        try await perform { [hasLabels] connection, _ in
            try Self.recorded(in: connection, name: name, labels: hasLabels).first
        }
    }

    public func saveRecorded(_ instance: RecordedInstance) async throws {
        try await writing { connection, store in
            try store.checkFence(instance.name, in: connection)
            try Self.save(instance, in: connection)
        }
    }

    /// Upserts the instance row and its resources; resources absent from `instance` are deleted.
    static func save(_ instance: RecordedInstance, in connection: Connection) throws {
        try connection.execute(
            """
            INSERT INTO instances (name, region, running_version, state, domain, storage_gb, provisioned,
                protected, updated_at, network)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, \(databaseNow), $9)
            ON CONFLICT (name) DO UPDATE SET region = excluded.region, running_version = excluded.running_version,
                state = excluded.state, domain = excluded.domain, storage_gb = excluded.storage_gb,
                provisioned = excluded.provisioned, protected = excluded.protected,
                updated_at = excluded.updated_at, network = excluded.network
            """,
            [
                instance.name.postgresValue, instance.region.postgresValue, instance.runningVersion.postgresValue,
                instance.state.postgresValue, instance.domain.postgresValue, instance.storageGB.postgresValue,
                instance.provisioned.postgresValue, instance.protected.postgresValue,
                instance.network.map(NetworkColumn.text).postgresValue,
            ])
        let kept = instance.resources.keys.map(\.rawValue).sorted()
        try connection.execute(
            "DELETE FROM resources WHERE instance = $1 AND NOT (kind = ANY($2::text[]))",
            [instance.name.postgresValue, PostgresValue.textArray(kept)])
        // updated_at changes only when the resource did, so it tells when a resource last changed.
        for (kind, resource) in instance.resources.sorted(by: { $0.key < $1.key }) {
            try connection.execute(
                """
                INSERT INTO resources (instance, kind, cloud_id, inputs_hash, attributes, labels, updated_at)
                VALUES ($1, $2, $3, $4, $5, $6, \(databaseNow))
                ON CONFLICT (instance, kind) DO UPDATE SET cloud_id = excluded.cloud_id,
                    inputs_hash = excluded.inputs_hash, attributes = excluded.attributes, labels = excluded.labels,
                    updated_at = excluded.updated_at
                WHERE resources.cloud_id IS DISTINCT FROM excluded.cloud_id
                    OR resources.inputs_hash IS DISTINCT FROM excluded.inputs_hash
                    OR resources.attributes IS DISTINCT FROM excluded.attributes
                    OR resources.labels IS DISTINCT FROM excluded.labels
                """,
                [
                    instance.name.postgresValue, kind.postgresValue, resource.cloudId.postgresValue,
                    resource.inputsHash.postgresValue, resource.attributes.map(AttributesColumn.text).postgresValue,
                    LabelsColumn.text(resource.labels).postgresValue,
                ])
        }
    }

    /// Recorded instances (all, or the one named), sorted by name, with their resources.
    private static func recorded(in connection: Connection, name: String?, labels: Bool) throws -> [RecordedInstance] {
        var instances = try connection.query(
            """
            SELECT name, region, running_version, state, domain, storage_gb, provisioned, protected, network
            FROM instances WHERE $1::text IS NULL OR name = $1::text ORDER BY name
            """, [name.postgresValue]
        ) { row in
            RecordedInstance(
                name: try row.column(0), region: try row.column(1), runningVersion: try row.column(2),
                state: try row.column(3), domain: try row.column(4), storageGB: try row.column(5),
                provisioned: try row.column(6), protected: try row.column(7),
                network: try row.column(8, as: String?.self).flatMap(NetworkColumn.ids))
        }
        let resources = try connection.query(
            """
            SELECT instance, kind, cloud_id, inputs_hash, attributes, \(labels ? "labels" : "NULL::text")
            FROM resources WHERE $1::text IS NULL OR instance = $1::text
            """, [name.postgresValue]
        ) { row in
            let kind = try row.column(1, as: ResourceKind.self)
            let attributes = try row.column(4, as: String?.self).flatMap { AttributesColumn.attributes($0, kind: kind) }
            return (
                instance: try row.column(0, as: String.self), kind: kind,
                resource: RecordedResource(
                    cloudId: try row.column(2), inputsHash: try row.column(3), attributes: attributes,
                    labels: LabelsColumn.labels(try row.column(5, as: String?.self)))
            )
        }
        let positions = Dictionary(uniqueKeysWithValues: instances.enumerated().map { ($1.name, $0) })
        for row in resources {
            guard let position = positions[row.instance] else { continue }
            instances[position].resources[row.kind] = row.resource
        }
        return instances
    }
}

extension PostgresValue {
    /// A `text[]` parameter.
    static func textArray(_ values: [String]) -> PostgresValue {
        let quoted = values.map { value in
            "\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                + "\""
        }
        return PostgresValue(text: "{" + quoted.joined(separator: ",") + "}")
    }

    /// A `bigint[]` parameter.
    static func integerArray(_ values: [Int64]) -> PostgresValue {
        PostgresValue(text: "{" + values.map(String.init).joined(separator: ",") + "}")
    }
}
