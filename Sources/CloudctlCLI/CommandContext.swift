import Foundation
import FleetModel
import StateBackend
import Store

/// What a command runs with: the environment, and the repository and database paths resolved from the global options.
struct CommandContext: Sendable {
    var environment: CLIEnvironment
    var repo: URL
    var dbPath: String

    init(global: GlobalOptions, environment: CLIEnvironment) {
        self.environment = environment
        repo = environment.userPath(global.repo ?? ".")
        if let db = global.db ?? environment.variables["CLOUDCTL_DB"].flatMap({ $0.isEmpty ? nil : $0 }) {
            dbPath = URL(fileURLWithPath: db, relativeTo: URL(fileURLWithPath: environment.currentDirectory, isDirectory: true)).path
        } else {
            dbPath = repo.appendingPathComponent(".cloudctl/state.db").path
        }
    }

    var console: Console { environment.console }
    var terminal: Terminal { environment.terminal }

    /// A path the user gave, resolved against the current directory.
    func userPath(_ path: String) -> URL { environment.userPath(path) }

    /// The state database if it exists; read-only commands never create one.
    func existingStore() throws -> (any StateBackend)? {
        try SQLiteStateStore.openIfExists(path: dbPath)
    }

    /// The state database, created if missing (apply).
    func store() throws -> any StateBackend {
        try SQLiteStateStore(path: dbPath)
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
