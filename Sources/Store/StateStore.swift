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
    /// Whether `resources` has the `labels` column (migration 008): a read-only open of an older file has not.
    let hasLabels: Bool

    /// How a command uses the state database.
    public enum Access: Sendable {
        /// Reads only: the file must exist; nothing is created, migrated or written (works on a read-only file).
        case readOnly
        /// Reads and writes: migrates the schema; `create` makes the file (and its directories) when missing.
        case readWrite(create: Bool)
    }

    /// Opens the database at `path` (by default creating it and its parent directories if missing, and migrating
    /// the schema). With `fleet`, refuses a database that belongs to another fleet; a writing open of a database that
    /// belongs to none yet records `fleet` as its owner unless `claim` is false.
    public init(
        path: String, access: Access = .readWrite(create: true), fleet: String? = nil,
        claim: Bool = true
    ) throws {
        self.path = path
        queue = DispatchQueue(label: "cloudctl.state.\(path)")
        do {
            switch access {
            case .readOnly:
                guard FileManager.default.fileExists(atPath: path) else { throw StateBackendError.missing(path: path) }
                database = try Database(path: path, readOnly: true)
                let readability = try Migrations.checkReadable(database: database)
                guard readability != .empty else { throw StateBackendError.missing(path: path) }
                hasLabels = try !database.query(
                    "SELECT 1 FROM pragma_table_info('resources') WHERE name = 'labels'", row: { _ in true }
                ).isEmpty
                if let fleet { try Self.checkFleet(fleet, in: database, claim: false) }
            case .readWrite(let create):
                if create {
                    let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
                    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                } else if !FileManager.default.fileExists(atPath: path) {
                    throw StateBackendError.missing(path: path)
                }
                database = try Database(path: path)
                try Migrations.apply(to: database)
                hasLabels = true
                if let fleet { try Self.checkFleet(fleet, in: database, claim: claim) }
            }
        } catch let error as StateBackendError {
            throw error
        } catch let error as SQLiteError {
            throw error.backendError(path: path)
        } catch {
            throw StateBackendError.io(path: path, message: "\(error)")
        }
    }

    /// Opens the database at `path` read-only if the file exists and holds state; nil otherwise (so read-only
    /// commands create nothing).
    public static func openIfExists(path: String, fleet: String? = nil) throws -> SQLiteStateStore? {
        do {
            return try SQLiteStateStore(path: path, access: .readOnly, fleet: fleet)
        } catch StateBackendError.missing {
            return nil
        }
    }

    /// The fleet the database belongs to, per its `meta` table; nil when none is recorded yet.
    public func fleet() throws -> String? {
        try serialized { try Self.recordedFleet(in: $0) }
    }

    static func recordedFleet(in database: Database) throws -> String? {
        let meta = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'"
        guard try !database.query(meta, row: { _ in true }).isEmpty else { return nil }
        let fleets = try database.query("SELECT value FROM meta WHERE key = 'fleet'") {
            try $0.column(0, as: String.self)
        }
        return fleets.first
    }

    /// Throws when the database belongs to another fleet; records `fleet` as the owner when `claim` and none is.
    private static func checkFleet(_ fleet: String, in database: Database, claim: Bool) throws {
        if let recorded = try recordedFleet(in: database) {
            guard recorded == fleet else {
                throw StateBackendError.otherFleet(path: database.path, recorded: recorded, files: fleet)
            }
        } else if claim {
            // OR IGNORE: two first applies racing both claim; the loser's check below still sees the winner's name.
            try database.run("INSERT OR IGNORE INTO meta (key, value) VALUES ('fleet', ?)", fleet)
            let recorded = try recordedFleet(in: database)
            if let recorded, recorded != fleet {
                throw StateBackendError.otherFleet(path: database.path, recorded: recorded, files: fleet)
            }
        }
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
        try await perform { [hasLabels] in try Self.recorded(in: $0, name: nil, labels: hasLabels) }
    }

    public func recordedInstance(_ name: String) async throws -> RecordedInstance? {
        try await perform { [hasLabels] in try Self.recorded(in: $0, name: name, labels: hasLabels).first }
    }

    /// Inserts or replaces the instance row and its resources; resources absent from `instance` are deleted.
    public func saveRecorded(_ instance: RecordedInstance) async throws {
        let now = Date()
        try await writing { database in
            try database.run(
                """
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
                try database.run(
                    """
                    INSERT INTO resources (instance, kind, cloud_id, inputs_hash, attributes, labels, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (instance, kind) DO UPDATE SET cloud_id = excluded.cloud_id,
                        inputs_hash = excluded.inputs_hash, attributes = excluded.attributes,
                        labels = excluded.labels, updated_at = excluded.updated_at
                    WHERE cloud_id IS NOT excluded.cloud_id OR inputs_hash IS NOT excluded.inputs_hash
                        OR attributes IS NOT excluded.attributes OR labels IS NOT excluded.labels
                    """, instance.name, kind, resource.cloudId, resource.inputsHash,
                    resource.attributes.map(AttributesColumn.text), LabelsColumn.text(resource.labels), now)
            }
        }
    }

    /// Recorded instances (all, or the one named), sorted by name, with their resources.
    static func recorded(in database: Database, name: String?, labels: Bool) throws -> [RecordedInstance] {
        var instances = try database.query(
            """
            SELECT name, region, running_version, state, domain, storage_gb, provisioned, protected, network
            FROM instances WHERE ?1 IS NULL OR name = ?1 ORDER BY name
            """, name
        ) { row in
            RecordedInstance(
                name: try row.column(0), region: try row.column(1), runningVersion: try row.column(2),
                state: try row.column(3), domain: try row.column(4), storageGB: try row.column(5),
                provisioned: try row.column(6, as: Int64.self) != 0,
                protected: try row.column(7, as: Int64.self) != 0,
                network: try row.column(8, as: String?.self).flatMap(NetworkColumn.ids))
        }
        // A fleet repeats a few dozen attribute texts (regions, tiers, images): each is decoded once per read.
        var decoded: [ResourceKind: [String: ResourceAttributes?]] = [:]
        // Label sets repeat too (a team's instances share them).
        var labelSets: [String: [String: String]] = [:]
        let resources = try database.query(
            """
            SELECT instance, kind, cloud_id, inputs_hash, attributes, \(labels ? "labels" : "NULL") FROM resources
            WHERE ?1 IS NULL OR instance = ?1
            """, name
        ) { row in
            let kind = try row.column(1, as: ResourceKind.self)
            let attributes = try row.column(4, as: String?.self).flatMap { text in
                if let known = decoded[kind]?[text] { return known }
                let value = AttributesColumn.attributes(text, kind: kind)
                decoded[kind, default: [:]][text] = value
                return value
            }
            let labels = try row.column(5, as: String?.self).map { text in
                if let known = labelSets[text] { return known }
                let value = LabelsColumn.labels(text)
                labelSets[text] = value
                return value
            }
            return (
                instance: try row.column(0, as: String.self), kind: kind,
                resource: RecordedResource(
                    cloudId: try row.column(2), inputsHash: try row.column(3),
                    attributes: attributes, labels: labels ?? [:])
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
