import Foundation
import StateBackend

/// One schema change, applied once and recorded by id in `schema_migrations`.
struct Migration: Sendable {
    var id: String
    var sql: String
    /// Whether read-only commands need it: they never migrate, and cope without a migration that only adds a table.
    var neededForReading = true
}

/// The store's schema history, in order. Append new migrations; never edit an applied one.
enum Migrations {
    static let all: [Migration] = [
        Migration(
            id: "001-initial",
            sql: """
                -- *_at and lease_until: REAL seconds since 2001-01-01 UTC (see SQLiteValue.swift).
                CREATE TABLE instances (
                    name TEXT PRIMARY KEY NOT NULL,
                    region TEXT NOT NULL,
                    running_version TEXT,
                    state TEXT NOT NULL,
                    domain TEXT,
                    storage_gb INTEGER,
                    updated_at REAL NOT NULL
                );
                CREATE TABLE resources (
                    instance TEXT NOT NULL REFERENCES instances(name) ON DELETE CASCADE,
                    kind TEXT NOT NULL,
                    cloud_id TEXT NOT NULL,
                    inputs_hash TEXT NOT NULL,
                    updated_at REAL NOT NULL,
                    PRIMARY KEY (instance, kind)
                );
                -- Operations and locks may exist before an instance is first recorded, so no foreign key to instances.
                CREATE TABLE operations (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    instance TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    holder TEXT NOT NULL,
                    result TEXT NOT NULL,
                    error TEXT,
                    started_at REAL NOT NULL,
                    finished_at REAL
                );
                CREATE INDEX operations_by_instance ON operations(instance, id);
                CREATE INDEX operations_by_start ON operations(started_at);
                CREATE TABLE steps (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    operation_id INTEGER NOT NULL REFERENCES operations(id) ON DELETE CASCADE,
                    instance TEXT NOT NULL,
                    step_index INTEGER NOT NULL,
                    action TEXT NOT NULL,
                    resource TEXT NOT NULL,
                    reason TEXT NOT NULL,
                    inputs_hash TEXT NOT NULL,
                    status TEXT NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    cloud_id TEXT,
                    note TEXT,
                    error TEXT,
                    started_at REAL,
                    finished_at REAL
                );
                CREATE INDEX steps_by_operation ON steps(operation_id, step_index);
                CREATE INDEX steps_by_instance ON steps(instance, id);
                CREATE INDEX steps_by_status ON steps(instance, status);
                CREATE TABLE locks (
                    instance TEXT PRIMARY KEY NOT NULL,
                    holder TEXT NOT NULL,
                    acquired_at REAL NOT NULL,
                    lease_until REAL NOT NULL
                );
                """),
        // Attributes last applied, per resource (JSON in the plan format's shape); whether the instance finished
        // provisioning once (existing rows did: earlier versions recorded only complete provisionings' resources
        // alongside); `protected` as last applied. Rows from before it count as protected: a change that lifts
        // protection and tears down at once must not slip through on an upgraded database (lifting it is one
        // applied change, with no cloud call).
        Migration(
            id: "002-attributes",
            sql: """
                ALTER TABLE resources ADD COLUMN attributes TEXT;
                ALTER TABLE instances ADD COLUMN provisioned INTEGER NOT NULL DEFAULT 1;
                ALTER TABLE instances ADD COLUMN protected INTEGER NOT NULL DEFAULT 1;
                """),
        // Facts about the file itself; `fleet` is the fleet whose state it holds (written by the first write).
        Migration(
            id: "003-meta",
            sql: """
                CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);
                """, neededForReading: false),
        // The network's subnet and security group ids (JSON `NetworkIds`), so later steps need not look them up.
        Migration(
            id: "004-network-ids",
            sql: """
                ALTER TABLE instances ADD COLUMN network TEXT;
                """),
        // Which apply run an operation belongs to, and the fleet repository's commit it ran from (`history --run`).
        Migration(
            id: "005-runs",
            sql: """
                ALTER TABLE operations ADD COLUMN run_id TEXT;
                ALTER TABLE operations ADD COLUMN git_commit TEXT;
                ALTER TABLE operations ADD COLUMN git_dirty INTEGER;
                CREATE INDEX operations_by_run ON operations(run_id);
                """),
        // Rollout decisions (advance, approve, halt) per release and wave; `instances` is a JSON array of names.
        // Readers cope without it: no table means no decision was ever made.
        Migration(
            id: "006-rollout-decisions",
            sql: """
                CREATE TABLE rollout_decisions (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    version TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    channel TEXT NOT NULL,
                    wave TEXT NOT NULL,
                    instances TEXT NOT NULL,
                    actor TEXT NOT NULL,
                    note TEXT,
                    at REAL NOT NULL
                );
                CREATE INDEX rollout_decisions_version ON rollout_decisions (version, at);
                """, neededForReading: false),
        // Wave barriers of sharded applies: each shard's mark per (run, wave). Only `apply --shard` reads it.
        Migration(
            id: "007-wave-barriers",
            sql: """
                CREATE TABLE wave_barriers (
                    run TEXT NOT NULL,
                    wave INTEGER NOT NULL,
                    shard INTEGER NOT NULL,
                    shards INTEGER NOT NULL,
                    status TEXT NOT NULL,
                    holder TEXT NOT NULL,
                    finished_at REAL NOT NULL,
                    PRIMARY KEY (run, wave, shard)
                );
                """, neededForReading: false),
        // The instance's labels as last applied to each resource as tags (JSON object of strings), so a label change
        // re-tags existing resources and removes only keys cloudctl put there. NULL (rows from before) reads as none
        // applied. Readers cope without it: an unmigrated file reads as no labels applied.
        Migration(
            id: "008-resource-labels",
            sql: """
                ALTER TABLE resources ADD COLUMN labels TEXT;
                """, neededForReading: false),
    ]

    /// Applies every migration `database` lacks, each in its own transaction; a no-op on an up-to-date file.
    /// Safe when several processes open a new file at once: the check runs inside the write transaction.
    static func apply(_ migrations: [Migration] = all, to database: Database, now: Date = Date()) throws {
        try database.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY NOT NULL, applied_at REAL NOT NULL)")
        let known = Set(migrations.map(\.id))
        let unknown = try applied(in: database).filter { !known.contains($0) }
        if let newest = unknown.last {
            throw StateBackendError.newerSchema(migration: newest, path: database.path)
        }
        for migration in migrations {
            try database.transaction {
                let done = try database.query("SELECT 1 FROM schema_migrations WHERE id = ?", migration.id) { _ in true
                }
                guard done.isEmpty else { return }
                try database.execute(migration.sql)
                try database.run("INSERT INTO schema_migrations (id, applied_at) VALUES (?, ?)", migration.id, now)
            }
        }
    }

    /// Checks, without writing, that a read-only command can read `database`: no migration this build does not know,
    /// none it needs for reading missing.
    static func checkReadable(_ migrations: [Migration] = all, database: Database) throws -> Readability {
        let tables = try database.query("SELECT name FROM sqlite_master WHERE type = 'table'") {
            try $0.column(0, as: String.self)
        }
        // A file without any table (e.g. created empty by `touch`) holds no state: readers see nothing recorded.
        guard tables.contains("schema_migrations") else {
            if tables.isEmpty { return .empty }
            throw StateBackendError.notADatabase(path: database.path)
        }
        let applied = try applied(in: database)
        let known = Set(migrations.map(\.id))
        if let newest = applied.filter({ !known.contains($0) }).last {
            throw StateBackendError.newerSchema(migration: newest, path: database.path)
        }
        let missing = migrations.filter { !applied.contains($0.id) }
        if let needed = missing.first(where: \.neededForReading) {
            throw StateBackendError.olderSchema(missing: needed.id, path: database.path)
        }
        return missing.isEmpty ? .current : .lacksOptional
    }

    /// What a read-only command found in a file it may read.
    enum Readability {
        /// No table at all: nothing recorded yet.
        case empty
        /// Every migration applied.
        case current
        /// Readable, but lacking migrations readers can do without (e.g. the `meta` table).
        case lacksOptional
    }

    /// Ids of the applied migrations, in the order they were applied.
    static func applied(in database: Database) throws -> [String] {
        try database.query("SELECT id FROM schema_migrations ORDER BY rowid") { try $0.column(0) }
    }
}
