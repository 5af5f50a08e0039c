import Foundation

/// A command's typed options, built from the words after the command name.
///
/// Every usage problem is thrown while building them, so it is reported before the command does anything.
protocol CommandOptions: Sendable {
    /// The command's name, options and positional arguments, as parsed and as shown by `--help`.
    static var spec: CommandSpec { get }
    /// Reads words the parser has already checked; throws for what only this command can judge (e.g. `--since`).
    init(_ arguments: ParsedArguments, environment: CLIEnvironment) throws(UsageError)
}

extension CommandOptions {
    /// Parses a command line (without the command name) straight into options, e.g. in tests.
    static func parse(_ words: [String], environment: CLIEnvironment) throws(UsageError) -> Self {
        try Self(ArgumentParser.parse(words, for: spec), environment: environment)
    }
}

/// Options every command accepts.
struct GlobalOptions: Sendable, Equatable {
    /// The global options' specs, listed in every command's help.
    enum Option {
        static let repo = OptionSpec.string("--repo", "DIR", "Fleet repository (default: the current directory).")
        static let db = OptionSpec.string(
            "--db", "PATH",
            "State database: a SQLite file or a postgres:// URL (default: $CLOUDCTL_DB, else "
                + "<repo>/.cloudctl/state.db).")
        static let help = OptionSpec.flag("--help", short: "-h", "Show help for this command.")
        static let all = [repo, db, help]
    }

    var repo: String?
    var db: String?

    init(repo: String? = nil, db: String? = nil) {
        self.repo = repo
        self.db = db
    }

    init(_ arguments: ParsedArguments) {
        self.init(repo: arguments.value(Option.repo), db: arguments.value(Option.db))
    }
}

/// How `status` and `history` print: for people, or one JSON document for scripts.
enum ReportFormat: Sendable, Equatable {
    case human, json

    static let jsonOption = OptionSpec.flag("--json", "Print JSON.")

    init(_ arguments: ParsedArguments) {
        self = arguments.flag(Self.jsonOption) ? .json : .human
    }
}

/// A subcommand: what it accepts and what it does.
struct Command: Sendable {
    /// What runs once the options are built.
    typealias Run = @Sendable (CommandContext) async throws -> Int32

    var spec: CommandSpec
    /// Builds the typed options (every usage error is thrown here) and returns what runs with them.
    var prepare: @Sendable (ParsedArguments, CLIEnvironment) throws(UsageError) -> Run

    init<Options: CommandOptions>(
        _ options: Options.Type,
        run: @escaping @Sendable (Options, CommandContext) async throws -> Int32
    ) {
        spec = Options.spec
        prepare = { (arguments, environment) throws(UsageError) -> Run in
            let options = try Options(arguments, environment: environment)
            return { context in try await run(options, context) }
        }
    }
}
