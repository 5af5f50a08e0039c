import Foundation
import FleetModel
import StateBackend

/// Entry point of the command-line tool; returns the process exit code.
public enum CLI {
    public static let toolVersion = "0.1.0"

    /// Exit codes: 0 ok, 1 error, 2 plan has changes (with `--detailed-exitcode`), 130 interrupted.
    enum ExitCode {
        static let success: Int32 = 0, failure: Int32 = 1, changesPresent: Int32 = 2, interrupted: Int32 = 130
        /// What most commands' help lists.
        static let basic: [(Int32, String)] = [
            (success, "success"), (failure, "error: bad input, a problem found, or a failed operation (see stderr)"),
        ]
    }

    /// Environment variables, with what they do, for the commands' help.
    enum Environment {
        static let db = ("CLOUDCTL_DB", "State database when --db is not given.")
        static let noColor = ("NO_COLOR", "Any value turns off colors on a terminal.")
        static let aws: [(String, String)] = [
            ("AWS_ACCESS_KEY_ID", "Credentials (with AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN)."),
            ("AWS_SECRET_ACCESS_KEY", "Credentials."),
            ("AWS_SESSION_TOKEN", "Credentials (temporary)."),
            ("AWS_PROFILE", "Profile when no keys are set (else AWS_DEFAULT_PROFILE, else default)."),
            ("AWS_DEFAULT_PROFILE", "Profile when AWS_PROFILE is not set."),
            ("AWS_SHARED_CREDENTIALS_FILE", "Credentials file (default: ~/.aws/credentials)."),
            ("AWS_CONFIG_FILE", "Config file (default: ~/.aws/config)."),
            ("AWS_REGION", "Region (else AWS_DEFAULT_REGION, else the profile's region)."),
            ("AWS_DEFAULT_REGION", "Region when AWS_REGION is not set."),
            ("AWS_ENDPOINT_URL", "A local endpoint such as moto (http://127.0.0.1:PORT)."),
            ("CLOUDCTL_REQUEST_TIMEOUT", "Bound on each cloud call (default: 30s; ms, s, m or h)."),
            ("CLOUDCTL_STEP_TIMEOUT", "Bound on each step (default: 45m; ms, s, m or h)."),
            ("USER", "Who ran the apply, recorded in history and locks (else LOGNAME)."),
        ]
    }

    static let commands: [Command] = [
        ValidateCommand.command, PlanCommand.command, ShowCommand.command, ApplyCommand.command,
        StatusCommand.command, DriftCommand.command, HistoryCommand.command, RolloutCommand.command,
        ReportCommand.command, UnlockCommand.command, StateCommand.command,
        VersionCommand.command,
    ]

    static let topUsage = "cloudctl <command> [options]"

    static var overview: String {
        let width = commands.map(\.spec.name.count).max()! + 2
        let lines = commands.map {
            "  " + $0.spec.name.padding(toLength: width, withPad: " ", startingAt: 0) + $0.spec.abstract
        }
        return """
            OVERVIEW: GitOps orchestrator for multi-single-tenant cloud fleets.

            USAGE: \(topUsage)

            COMMANDS:
            \(lines.joined(separator: "\n"))
              help CMD  Show help for a command.

            See 'cloudctl help <command>' for a command's options.
            """
    }

    public static func run(_ arguments: [String]) async -> Int32 {
        await run(arguments, environment: .process)
    }

    public static func run(_ arguments: [String], environment: CLIEnvironment) async -> Int32 {
        // A closed stdout (`cloudctl plan | head`) must be a failed write, not death by SIGPIPE before `--out` is
        // saved.
        signal(SIGPIPE, SIG_IGN)
        let console = environment.console
        do {
            guard let first = arguments.first else {
                throw UsageError("Missing command", command: nil, usage: topUsage)
            }
            switch first {
            case "--help", "-h":
                console.out(overview)
                return ExitCode.success
            case "--version":
                console.out(VersionView.render(toolVersion))
                return ExitCode.success
            case "help":
                guard let name = arguments.dropFirst().first else {
                    console.out(overview)
                    return ExitCode.success
                }
                if arguments.count > 2 {
                    throw UsageError("Unexpected argument '\(arguments[2])'", command: nil, usage: "cloudctl help CMD")
                }
                console.out(try command(named: name).spec.help)
                return ExitCode.success
            default:
                let command = try command(named: first)
                let parsed = try ArgumentParser.parse(Array(arguments.dropFirst()), for: command.spec)
                if parsed.help {
                    console.out(command.spec.help)
                    return ExitCode.success
                }
                // Options are built (and every usage error thrown) before the command touches anything.
                let run = try command.prepare(parsed, environment)
                return try await run(CommandContext(global: GlobalOptions(parsed), environment: environment))
            }
        } catch let error as UsageError {
            console.err(
                "error: \(error.message)\nusage: \(error.usage)\n"
                    + "See 'cloudctl \(error.command.map { "\($0) " } ?? "")--help'."
            )
        } catch let error as StateBackendError {
            console.err(error.diagnostic.description)
        } catch let error as DiagnosticsError {
            for diagnostic in error.diagnostics { console.err(diagnostic.description) }
        } catch {
            console.err("error: \(error)")
        }
        return ExitCode.failure
    }

    static func command(named name: String) throws(UsageError) -> Command {
        guard let command = commands.first(where: { $0.spec.name == name }) else {
            let isOption = name.hasPrefix("-")
            let candidates = isOption ? ["--help", "--version"] : commands.map(\.spec.name) + ["help"]
            throw UsageError.unknown(
                isOption ? "option" : "command", name, among: candidates, command: nil,
                usage: topUsage)
        }
        return command
    }
}
