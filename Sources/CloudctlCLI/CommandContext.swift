import Foundation
import FleetModel
import PostgresStore
import StateBackend
import Store

/// What a command runs with: the environment, and the repository and database paths resolved from the global options.
struct CommandContext: Sendable {
    var environment: CLIEnvironment
    var repo: URL
    /// The SQLite file, or (with `postgres`) the PostgreSQL URL without its password, as shown in messages.
    var dbPath: String
    /// Set when `--db` / `CLOUDCTL_DB` is a `postgres://` or `postgresql://` URL.
    var postgres: PostgresLocation?

    init(global: GlobalOptions, environment: CLIEnvironment) {
        self.environment = environment
        repo = environment.userPath(global.repo ?? ".")
        let db = global.db ?? environment.variables["CLOUDCTL_DB"].flatMap({ $0.isEmpty ? nil : $0 })
        if let db, let location = PostgresLocation(db) {
            postgres = location
            dbPath = location.redacted
        } else if let db {
            dbPath =
                URL(
                    fileURLWithPath: db,
                    relativeTo: URL(fileURLWithPath: environment.currentDirectory, isDirectory: true)
                ).path
        } else {
            dbPath = repo.appendingPathComponent(".cloudctl/state.db").path
        }
    }

    var console: Console { environment.console }
    var terminal: Terminal { environment.terminal }

    /// A path the user gave, resolved against the current directory.
    func userPath(_ path: String) -> URL { environment.userPath(path) }

    /// The state database opened read-only if it exists; read-only commands never create or write one.
    /// `fleet` (the instance files' fleet, when they name one) must match the fleet the database belongs to.
    func existingStore(fleet: String?) throws -> (any StateBackend)? {
        if let postgres { return try PostgresStateStore.openIfExists(postgres, fleet: fleet) }
        return try SQLiteStateStore.openIfExists(path: dbPath, fleet: fleet)
    }

    /// The state database opened read-only; a missing one is an error (`StateBackendError.missing`).
    func requiredStore(fleet: String?) throws -> any StateBackend {
        if let postgres { return try PostgresStateStore(postgres, access: .readOnly, fleet: fleet) }
        return try SQLiteStateStore(path: dbPath, access: .readOnly, fleet: fleet)
    }

    /// What `apply` plans from: the database if it exists, opened for writing so an older file is upgraded (readers
    /// refuse it), but neither created nor claimed for `fleet` before the plan is confirmed.
    func storeForApplying(fleet: String?) throws -> (any StateBackend)? {
        if let postgres {
            do {
                return try PostgresStateStore(postgres, access: .readWrite(create: false), fleet: fleet, claim: false)
            } catch StateBackendError.missing {
                return nil
            }
        }
        guard FileManager.default.fileExists(atPath: dbPath) else { return nil }
        return try SQLiteStateStore(path: dbPath, access: .readWrite(create: false), fleet: fleet, claim: false)
    }

    /// The state database opened for writing: created if missing when `create` (apply), an error otherwise (unlock).
    /// The first write records `fleet` as the fleet it belongs to.
    func writableStore(fleet: String?, create: Bool) throws -> any StateBackend {
        if let postgres { return try PostgresStateStore(postgres, access: .readWrite(create: create), fleet: fleet) }
        return try SQLiteStateStore(path: dbPath, access: .readWrite(create: create), fleet: fleet)
    }

    /// Prints diagnostics (warnings too) to stderr.
    func report(_ diagnostics: [Diagnostic]) {
        for diagnostic in diagnostics { console.err(diagnostic.description) }
    }
}

extension CLIEnvironment {
    /// A path the user gave, resolved against the current directory.
    func userPath(_ path: String) -> URL {
        let base = URL(fileURLWithPath: currentDirectory, isDirectory: true)
        return URL(fileURLWithPath: path, relativeTo: base).standardizedFileURL
    }
}
