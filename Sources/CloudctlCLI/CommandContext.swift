import Foundation
import FleetModel
import StateBackend
import Store

/// What a command runs with: its parsed arguments, the environment, and the resolved repository and database paths.
struct CommandContext: Sendable {
    var arguments: ParsedArguments
    var environment: CLIEnvironment
    var repo: URL
    var dbPath: String

    init(arguments: ParsedArguments, environment: CLIEnvironment) {
        self.arguments = arguments
        self.environment = environment
        repo = URL(fileURLWithPath: arguments.value("--repo") ?? ".",
                   relativeTo: URL(fileURLWithPath: environment.currentDirectory, isDirectory: true)).standardizedFileURL
        if let db = arguments.value("--db") ?? environment.variables["CLOUDCTL_DB"].flatMap({ $0.isEmpty ? nil : $0 }) {
            dbPath = URL(fileURLWithPath: db, relativeTo: URL(fileURLWithPath: environment.currentDirectory, isDirectory: true)).path
        } else {
            dbPath = repo.appendingPathComponent(".cloudctl/state.db").path
        }
    }

    var console: Console { environment.console }
    var terminal: Terminal { environment.terminal }

    /// A path the user gave, resolved against the current directory.
    func userPath(_ path: String) -> URL {
        URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: environment.currentDirectory, isDirectory: true)).standardizedFileURL
    }

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
