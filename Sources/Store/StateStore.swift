import Dispatch
import Foundation
import FleetModel
import StateBackend

/// The SQLite state backend: recorded instance state, operations, steps (the journal) and locks in one file.
/// Thread-safe: every call runs on one serial queue that owns the connection, so SQLite's blocking I/O (and its busy
/// wait for other processes) never holds a thread of Swift's cooperative pool. Several processes may open the same
/// file (WAL, busy timeout).
public final class SQLiteStateStore: StateBackend, @unchecked Sendable {
    public let path: String
    private let database: Database
    /// Owns `database`: the connection and its statements are not safe to share, so all access is serialized here.
    private let queue: DispatchQueue

    /// Opens the database at `path`, creating it and its parent directories if missing, and migrates the schema.
    public init(path: String) throws {
        self.path = path
        queue = DispatchQueue(label: "cloudctl.state.\(path)")
        do {
            let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            database = try Database(path: path)
            try Migrations.apply(to: database)
        } catch {
            throw Self.backendError(error, path: path)
        }
    }

    /// Opens the database at `path` if the file exists; nil otherwise (so read-only commands create nothing).
    public static func openIfExists(path: String) throws -> SQLiteStateStore? {
        FileManager.default.fileExists(atPath: path) ? try SQLiteStateStore(path: path) : nil
    }

    /// Runs `body` with exclusive use of the connection, blocking the caller (tests and the async wrappers only).
    @discardableResult
    func serialized<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try queue.sync { try body(database) }
        } catch {
            throw Self.backendError(error, path: path)
        }
    }

    /// Runs `body` on the store's queue without blocking the calling task's thread.
    @discardableResult
    func perform<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { [database, path] in
                do {
                    continuation.resume(returning: try body(database))
                } catch {
                    continuation.resume(throwing: Self.backendError(error, path: path))
                }
            }
        }
    }

    /// Like `perform`, inside a write transaction.
    @discardableResult
    func writing<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await perform { database in try database.transaction { try body(database) } }
    }

    /// SQLite failures become the backend-neutral error; other errors (already typed) pass through.
    static func backendError(_ error: any Error, path: String) -> any Error {
        (error as? SQLiteError)?.backendError(path: path) ?? error
    }

    // MARK: recorded state

    /// Every recorded instance, sorted by name.
    public func recordedInstances() async throws -> [RecordedInstance] {
        try await perform { try Self.recorded(in: $0, name: nil) }
    }

    public func recordedInstance(_ name: String) async throws -> RecordedInstance? {
        try await perform { try Self.recorded(in: $0, name: name).first }
    }

    /// Inserts or replaces the instance row and its resources; resources absent from `instance` are deleted.
    public func saveRecorded(_ instance: RecordedInstance) async throws {
        let now = Date()
        try await writing { database in
            try database.run("""
                INSERT INTO instances (name, region, running_version, state, domain, storage_gb, provisioned,
                    protected, updated_at, network)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (name) DO UPDATE SET region = excluded.region, running_version = excluded.running_version,
                    state = excluded.state, domain = excluded.domain, storage_gb = excluded.storage_gb,
                    provisioned = excluded.provisioned, protected = excluded.protected,
                    updated_at = excluded.updated_at, network = excluded.network
                """, instance.name, instance.region, instance.runningVersion, instance.state, instance.domain,
                instance.storageGB, instance.provisioned ? 1 : 0, instance.protected ? 1 : 0, now,
                instance.network.map(NetworkColumn.text))
            let stored = try database.query("SELECT kind FROM resources WHERE instance = ?", instance.name) {
                try $0.column(0, as: String.self)
            }
            let kept = Set(instance.resources.keys.map(\.rawValue))
            for kind in stored where !kept.contains(kind) {
                try database.run("DELETE FROM resources WHERE instance = ? AND kind = ?", instance.name, kind)
            }
            // updated_at changes only when the resource did, so it tells when a resource last changed.
            for (kind, resource) in instance.resources.sorted(by: { $0.key < $1.key }) {
                try database.run("""
                    INSERT INTO resources (instance, kind, cloud_id, inputs_hash, attributes, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT (instance, kind) DO UPDATE SET cloud_id = excluded.cloud_id,
                        inputs_hash = excluded.inputs_hash, attributes = excluded.attributes,
                        updated_at = excluded.updated_at
                    WHERE cloud_id IS NOT excluded.cloud_id OR inputs_hash IS NOT excluded.inputs_hash
                        OR attributes IS NOT excluded.attributes
                    """, instance.name, kind, resource.cloudId, resource.inputsHash,
                    resource.attributes.map(AttributesColumn.text), now)
            }
        }
    }

    /// Recorded instances (all, or the one named), sorted by name, with their resources.
    private static func recorded(in database: Database, name: String?) throws -> [RecordedInstance] {
        var instances = try database.query("""
            SELECT name, region, running_version, state, domain, storage_gb, provisioned, protected, network
            FROM instances WHERE ?1 IS NULL OR name = ?1 ORDER BY name
            """, name) { row in
            RecordedInstance(name: try row.column(0), region: try row.column(1), runningVersion: try row.column(2),
                             state: try row.column(3), domain: try row.column(4), storageGB: try row.column(5),
                             provisioned: try row.column(6, as: Int64.self) != 0,
                             protected: try row.column(7, as: Int64.self) != 0,
                             network: try row.column(8, as: String?.self).flatMap(NetworkColumn.ids))
        }
        let resources = try database.query("""
            SELECT instance, kind, cloud_id, inputs_hash, attributes FROM resources WHERE ?1 IS NULL OR instance = ?1
            """, name) { row in
            let kind = try row.column(1, as: ResourceKind.self)
            let attributes = try row.column(4, as: String?.self).flatMap { AttributesColumn.attributes($0, kind: kind) }
            return (instance: try row.column(0, as: String.self), kind: kind,
                    resource: RecordedResource(cloudId: try row.column(2), inputsHash: try row.column(3),
                                               attributes: attributes))
        }
        let positions = Dictionary(uniqueKeysWithValues: instances.enumerated().map { ($1.name, $0) })
        for row in resources {
            guard let position = positions[row.instance] else { continue }
            instances[position].resources[row.kind] = row.resource
        }
        return instances
    }
}
