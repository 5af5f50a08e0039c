import XCTest
@testable import CloudctlCLI

final class ArgumentParserTests: XCTestCase {
    func testParsesGoodCommandLines() throws {
        let plan = PlanOptions.spec
        let apply = ApplyOptions.spec
        let cases: [(CommandSpec, [String], ParsedArguments)] = [
            (plan, [], ParsedArguments()),
            (plan, ["acme", "globex"], ParsedArguments(positionals: ["acme", "globex"])),
            (plan, ["--json", "--out", "p.json"], ParsedArguments(flags: ["--json"], values: ["--out": "p.json"])),
            (plan, ["--out=p.json", "acme"], ParsedArguments(values: ["--out": "p.json"], positionals: ["acme"])),
            (
                plan, ["--repo", "/r", "--db", "/d.db", "--detailed-exitcode"],
                ParsedArguments(flags: ["--detailed-exitcode"], values: ["--repo": "/r", "--db": "/d.db"])
            ),
            (plan, ["--", "--odd-name"], ParsedArguments(positionals: ["--odd-name"])),
            (plan, ["-h"], ParsedArguments(flags: ["--help"])),
            (plan, ["--json", "--markdown", "--help"], ParsedArguments(flags: ["--json", "--markdown", "--help"])),
            (
                apply, ["--parallelism", "4", "--auto-approve", "Plans/x.json"],
                ParsedArguments(
                    flags: ["--auto-approve"], values: ["--parallelism": "4"], positionals: ["Plans/x.json"])
            ),
        ]
        for (spec, arguments, expected) in cases {
            XCTAssertEqual(try ArgumentParser.parse(arguments, for: spec), expected, "\(spec.name) \(arguments)")
        }
    }

    func testRejectsBadCommandLinesQuotingTheBadWord() {
        let plan = PlanOptions.spec
        let apply = ApplyOptions.spec
        let cases: [(CommandSpec, [String], String)] = [
            (plan, ["--verbose"], "Unknown option '--verbose'"),
            (plan, ["-v"], "Unknown option '-v'"),
            (plan, ["--out"], "Missing value for option '--out FILE'"),
            (plan, ["--out", "--json"], "Missing value for option '--out FILE'"),
            (plan, ["--json", "--markdown"], "Options '--json' and '--markdown' cannot be used together"),
            (plan, ["--json=yes"], "Option '--json' does not take a value"),
            (plan, ["--out", "a", "--out", "b"], "Option '--out' given more than once"),
            (ShowOptions.spec, [], "Missing argument FILE"),
            (ShowOptions.spec, ["a.json", "b.json"], "Unexpected argument 'b.json'"),
            (UnlockOptions.spec, [], "Missing argument NAME"),
            (StatusOptions.spec, ["a", "b"], "Unexpected argument 'b'"),
            (ValidateOptions.spec, ["acme"], "Unexpected argument 'acme'"),
        ]
        for (spec, arguments, message) in cases {
            XCTAssertThrowsError(try ArgumentParser.parse(arguments, for: spec), "\(arguments)") { error in
                XCTAssertEqual((error as? UsageError)?.message, message)
                XCTAssertEqual((error as? UsageError)?.command, spec.name)
            }
        }
    }

    func testUsageErrorsPrintUsageAndHelpHintAndExit1() async {
        let run = await runCLI(["plan", "--verbose"])
        XCTAssertEqual(run.code, 1)
        XCTAssertEqual(run.out, "")
        XCTAssertEqual(
            run.err,
            "error: Unknown option '--verbose'\nusage: cloudctl plan [NAME…] [options]\n"
                + "See 'cloudctl plan --help'.\n")
    }

    func testTopLevelWordsAndExitCodes() async {
        let cases: [([String], Int32, String)] = [
            (["version"], 0, "cloudctl 0.1.0\n"),
            (["--version"], 0, "cloudctl 0.1.0\n"),
            (
                ["frobnicate"], 1,
                "error: Unknown command 'frobnicate'\nusage: cloudctl <command> [options]\nSee 'cloudctl --help'.\n"
            ),
            (
                ["--verbose"], 1,
                "error: Unknown option '--verbose'\nusage: cloudctl <command> [options]\nSee 'cloudctl --help'.\n"
            ),
            ([], 1, "error: Missing command\nusage: cloudctl <command> [options]\nSee 'cloudctl --help'.\n"),
            (
                ["help", "nope"], 1,
                "error: Unknown command 'nope'\nusage: cloudctl <command> [options]\nSee 'cloudctl --help'.\n"
            ),
        ]
        for (arguments, code, text) in cases {
            let run = await runCLI(arguments)
            XCTAssertEqual(run.code, code, "\(arguments)")
            XCTAssertEqual(code == 0 ? run.out : run.err, text, "\(arguments)")
        }
    }

    func testHelpListsCommandsAndOptions() async {
        let overview = await runCLI(["--help"])
        XCTAssertEqual(overview.code, 0)
        for name in ["validate", "plan", "show", "apply", "status", "history", "unlock", "version"] {
            XCTAssertTrue(overview.out.contains("\n  \(name) "), name)
        }
        for arguments in [["help", "plan"], ["plan", "--help"], ["plan", "-h"]] {
            let run = await runCLI(arguments)
            XCTAssertEqual(run.code, 0)
            XCTAssertTrue(run.out.hasPrefix("OVERVIEW: Show what must change"), run.out)
            XCTAssertTrue(run.out.contains("  --out FILE "))
            XCTAssertTrue(run.out.contains("  -h, --help "))
            XCTAssertTrue(run.out.contains("  --db PATH "))
        }
    }

    func testDatabasePathPrecedence() {
        func context(_ global: GlobalOptions, _ variables: [String: String]) -> CommandContext {
            let environment = CLIEnvironment(
                console: CapturedConsole().console, variables: variables, homeDirectory: "/home/x",
                currentDirectory: "/work", trapSignals: false)
            return CommandContext(global: global, environment: environment)
        }
        XCTAssertEqual(context(GlobalOptions(), [:]).dbPath, "/work/.cloudctl/state.db")
        XCTAssertEqual(context(GlobalOptions(repo: "fleet"), [:]).dbPath, "/work/fleet/.cloudctl/state.db")
        XCTAssertEqual(context(GlobalOptions(repo: "fleet"), [:]).repo.path, "/work/fleet")
        XCTAssertEqual(context(GlobalOptions(repo: "fleet"), ["CLOUDCTL_DB": "/tmp/env.db"]).dbPath, "/tmp/env.db")
        XCTAssertEqual(context(GlobalOptions(db: "my.db"), ["CLOUDCTL_DB": "/tmp/env.db"]).dbPath, "/work/my.db")
    }
}
