import Foundation
import FleetModel
import PostgresStore
import StateBackend
import Store

/// `cloudctl state copy|check`: moves a SQLite database's state and history to PostgreSQL; checks a database.
enum StateCommand {
    static let command = Command(StateOptions.self) { options, context in
        switch options.action {
        case .copy(let from, let to): try await copy(from: context.userPath(from).path, to: to, context: context)
        case .check: try await check(context)
        }
    }

    /// Copies everything the file holds but locks (`StateSnapshot`: recorded state, the whole journal, rollout
    /// decisions, wave barrier marks, the fleet name); refuses a target that holds anything.
    private static func copy(from path: String, to target: PostgresLocation, context: CommandContext) async throws
        -> Int32
    {
        let source = try SQLiteStateStore(path: path, access: .readOnly)
        let snapshot = try await source.snapshot()
        let destination = try PostgresStateStore(target, access: .readWrite(create: true))
        do {
            try await destination.importState(snapshot)
        } catch let error as PostgresStateStore.NotEmpty {
            throw DiagnosticsError([
                .error(
                    "\(target.redacted) already holds state (\(error.contents)); state copy writes only into an "
                        + "empty database",
                    detail: "Create a new database (e.g. `createdb`) and copy into it, or pass --db \(target.redacted) "
                        + "to use the state it holds.")
            ])
        }
        context.console.out("Copied \(snapshot.summary) from \(path) to \(target.redacted).")
        return CLI.ExitCode.success
    }

    /// Exit 0 when consistent, 1 with every problem listed otherwise.
    private static func check(_ context: CommandContext) async throws -> Int32 {
        let store = try context.requiredStore(fleet: nil)
        guard let checking = store as? any ConsistencyChecking else {
            throw DiagnosticsError([.error("this state database cannot be checked")])
        }
        let problems = try await checking.consistencyProblems()
        guard problems.isEmpty else {
            for problem in problems { context.console.out(problem.description) }
            context.console.err(
                Diagnostic.error(
                    "\(context.dbPath) is inconsistent: \(problems.count) problem(s)",
                    detail: "A step running without a live lock belongs to a run that died: the next apply of the "
                        + "instance marks it interrupted. A resource without an operation was recorded outside "
                        + "cloudctl's journal: restore the database from a backup, or re-apply the instance."
                ).description)
            return CLI.ExitCode.failure
        }
        context.console.out(
            "\(context.dbPath) is consistent: no step left running without a live lock, no recorded resource "
                + "without an operation.")
        return CLI.ExitCode.success
    }
}

/// `cloudctl state copy --from PATH --to URL` or `cloudctl state check`.
struct StateOptions: CommandOptions, Equatable {
    /// The state command's own options.
    enum Option {
        static let from = OptionSpec.string("--from", "PATH", "copy: the SQLite state database to copy.")
        static let to = OptionSpec.string("--to", "URL", "copy: the empty PostgreSQL database (postgres://…).")
    }

    static let spec = CommandSpec(
        name: "state",
        abstract: "copy: copy a SQLite state database (state and history) to PostgreSQL; check: check a database.",
        arguments: "copy|check", positionals: 1...1, options: [Option.from, Option.to])

    /// What to do.
    enum Action: Equatable {
        case copy(from: String, to: PostgresLocation)
        case check
    }

    var action: Action

    init(_ arguments: ParsedArguments, environment: CLIEnvironment) throws(UsageError) {
        let from = arguments.value(Option.from)
        let to = arguments.value(Option.to)
        switch arguments.positionals[0] {
        case "copy":
            guard let from, let to else {
                throw UsageError("state copy needs --from PATH and --to URL", for: Self.spec)
            }
            guard let location = PostgresLocation(to) else {
                throw UsageError("--to must be a postgres:// or postgresql:// URL", for: Self.spec)
            }
            action = .copy(from: from, to: location)
        case "check":
            if from != nil || to != nil {
                throw UsageError("state check takes no --from or --to (it checks --db)", for: Self.spec)
            }
            action = .check
        case let other:
            throw UsageError("Unknown state action '\(other)' (copy or check)", for: Self.spec)
        }
    }
}
