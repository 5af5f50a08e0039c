import XCTest
import TestSupport
import FleetModel
import StateBackend
@testable import CloudctlCLI

/// Each command's words become its typed options; bad words are usage errors that quote them.
final class CommandOptionsTests: XCTestCase {
    /// An environment whose current directory holds `existing-plan` (a saved plan without `.json`).
    private static let directory: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("cloudctl-options-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        let plan = url.appendingPathComponent("existing-plan").path
        FileManager.default.createFile(atPath: plan, contents: Data("{}".utf8))
        return url
    }()
    private let environment = CLIEnvironment(
        console: CapturedConsole().console, variables: [:],
        homeDirectory: "/nonexistent", currentDirectory: directory.path,
        trapSignals: false)

    private func check<Options: CommandOptions & Equatable>(
        _ cases: [([String], Options)],
        file: StaticString = #filePath, line: UInt = #line
    ) {
        for (words, expected) in cases {
            XCTAssertEqual(
                try Options.parse(words, environment: environment), expected, "\(words)",
                file: file, line: line)
        }
    }

    func testApplyOptions() {
        check([
            ([], ApplyOptions()),
            (["acme", "globex"], ApplyOptions(names: ["acme", "globex"])),
            (["Plans/x.json"], ApplyOptions(planFile: "Plans/x.json")),
            (["existing-plan"], ApplyOptions(planFile: "existing-plan")),
            (["acme"], ApplyOptions(names: ["acme"])),
            (["--auto-approve", "--parallelism", "4"], ApplyOptions(autoApprove: true, parallelism: 4)),
            (["--parallelism=1"], ApplyOptions(parallelism: 1)),
            (["--parallelism", "256"], ApplyOptions(parallelism: 256)),
            (["--parallelism", "0016"], ApplyOptions(parallelism: 16)),
            (
                ["--ignore-maintenance-window", "--continue-after-failed-wave", "p.json"],
                ApplyOptions(planFile: "p.json", ignoreMaintenanceWindow: true, continueAfterFailedWave: true)
            ),
        ])
    }

    func testPlanShowStatusHistoryUnlockOptions() throws {
        check([
            ([], PlanOptions()),
            (["acme", "--json"], PlanOptions(names: ["acme"], format: .json)),
            (["--markdown", "--detailed-exitcode"], PlanOptions(format: .markdown, detailedExitcode: true)),
            (["--out", "p.json"], PlanOptions(out: "p.json")),
            (["--out=-"], PlanOptions(out: "-")),
        ])
        check([
            (["p.json"], ShowOptions(planFile: "p.json")),
            (["p.json", "--markdown"], ShowOptions(planFile: "p.json", format: .markdown)),
            (["--json", "p.json"], ShowOptions(planFile: "p.json", format: .json)),
        ])
        check([
            ([], StatusOptions()),
            (["acme"], StatusOptions(name: "acme")),
            (["--json"], StatusOptions(format: .json)),
        ])
        let date = try Date("2026-11-20T00:00:00Z", strategy: .iso8601)
        check([
            ([], HistoryOptions()),
            (["acme", "--limit", "5"], HistoryOptions(name: "acme", limit: 5)),
            (["--limit=10000", "--json"], HistoryOptions(limit: 10_000, format: .json)),
            (["--since", "12h"], HistoryOptions(since: .ago(seconds: 12 * 3600))),
            (["--since=30m"], HistoryOptions(since: .ago(seconds: 1800))),
            (["--since", "7d"], HistoryOptions(since: .ago(seconds: 7 * 86400))),
            (["--since", "2026-11-20"], HistoryOptions(since: .date(date))),
        ])
        check([(["acme"], UnlockOptions(name: "acme"))])
        check([([], ValidateOptions())])
        check([([], VersionOptions())])
    }

    func testGlobalOptionsAreTyped() throws {
        let cases: [([String], GlobalOptions)] = [
            ([], GlobalOptions()),
            (["--repo", "fleet"], GlobalOptions(repo: "fleet")),
            (["--db=/tmp/s.db", "--repo", "."], GlobalOptions(repo: ".", db: "/tmp/s.db")),
        ]
        for (words, expected) in cases {
            let parsed = try ArgumentParser.parse(words, for: StatusOptions.spec)
            XCTAssertEqual(GlobalOptions(parsed), expected, "\(words)")
        }
    }

    func testBoundsNegativeNumbersAndBadValuesQuoteTheInput() {
        let cases: [(CommandSpec, [String], String)] = [
            (ApplyOptions.spec, ["--parallelism", "100000"], "--parallelism must be between 1 and 256, got 100000"),
            (ApplyOptions.spec, ["--parallelism", "257"], "--parallelism must be between 1 and 256, got 257"),
            (ApplyOptions.spec, ["--parallelism", "0"], "--parallelism must be between 1 and 256, got 0"),
            (
                ApplyOptions.spec, ["--parallelism", "99999999999999999999999"],
                "--parallelism must be between 1 and 256, got 99999999999999999999999"
            ),
            (ApplyOptions.spec, ["--parallelism", "-3"], "--parallelism must be a positive whole number, got '-3'"),
            (ApplyOptions.spec, ["--parallelism=-3"], "--parallelism must be a positive whole number, got '-3'"),
            (
                ApplyOptions.spec, ["--parallelism", "many"],
                "--parallelism must be a positive whole number, got 'many'"
            ),
            (ApplyOptions.spec, ["--parallelism", "2.5"], "--parallelism must be a positive whole number, got '2.5'"),
            (ApplyOptions.spec, ["--parallelism", "+4"], "--parallelism must be a positive whole number, got '+4'"),
            (ApplyOptions.spec, ["--parallelism="], "--parallelism must be a positive whole number, got ''"),
            (ApplyOptions.spec, ["--parallelism"], "Missing value for option '--parallelism N'"),
            (ApplyOptions.spec, ["--parallelism", "--auto-approve"], "Missing value for option '--parallelism N'"),
            (
                ApplyOptions.spec, ["p.json", "acme"],
                "Unexpected argument 'acme': a saved plan (p.json) is applied whole, without names"
            ),
            (HistoryOptions.spec, ["--limit", "10001"], "--limit must be between 1 and 10000, got 10001"),
            (HistoryOptions.spec, ["--limit", "-1"], "--limit must be a positive whole number, got '-1'"),
            (HistoryOptions.spec, ["--since", "3651d"], "--since must be at most 10 years back (3650d), got '3651d'"),
            (
                HistoryOptions.spec, ["--since", "99999999999999999999h"],
                "--since must be at most 10 years back (3650d), got '99999999999999999999h'"
            ),
            (
                HistoryOptions.spec, ["--since", "-3h"],
                "--since must be a duration like 30m, 12h or 7d, or an ISO 8601 "
                    + "date or time like 2026-11-20 or 2026-11-20T18:00:00Z, got '-3h'"
            ),
            (
                HistoryOptions.spec, ["--since", "2w"],
                "--since must be a duration like 30m, 12h or 7d, or an ISO 8601 "
                    + "date or time like 2026-11-20 or 2026-11-20T18:00:00Z, got '2w'"
            ),
        ]
        for (spec, words, message) in cases {
            let command = CLI.commands.first { $0.spec.name == spec.name }!
            let prepare = { try command.prepare(ArgumentParser.parse(words, for: spec), self.environment) }
            XCTAssertThrowsError(try prepare(), "\(words)") { error in
                XCTAssertEqual(error as? UsageError, UsageError(message, for: spec), "\(words)")
            }
        }
    }

    func testUnknownOptionsAndCommandsGetSuggestions() async {
        let cases: [([String], String)] = [
            (["apply", "--paralelism", "4"], "Unknown option '--paralelism'. Did you mean '--parallelism'?"),
            (["apply", "--auto-aprove"], "Unknown option '--auto-aprove'. Did you mean '--auto-approve'?"),
            (["plan", "--jsno"], "Unknown option '--jsno'. Did you mean '--json'?"),
            (["plan", "-json"], "Unknown option '-json'. Did you mean '--json'?"),
            (["history", "--limt=3"], "Unknown option '--limt'. Did you mean '--limit'?"),
            (["status", "--rpeo", "."], "Unknown option '--rpeo'. Did you mean '--repo'?"),
            (["plan", "--verbose"], "Unknown option '--verbose'"),
            (["aply"], "Unknown command 'aply'. Did you mean 'apply'?"),
            (["stauts"], "Unknown command 'stauts'. Did you mean 'status'?"),
            (["hlep"], "Unknown command 'hlep'. Did you mean 'help'?"),
            (["help", "histroy"], "Unknown command 'histroy'. Did you mean 'history'?"),
            (["frobnicate"], "Unknown command 'frobnicate'"),
            (["--verison"], "Unknown option '--verison'. Did you mean '--version'?"),
        ]
        for (words, message) in cases {
            let run = await runCLI(words)
            XCTAssertEqual(run.code, 1, "\(words)")
            XCTAssertEqual(run.err.split(separator: "\n").first.map(String.init), "error: " + message, "\(words)")
            XCTAssertEqual(run.out, "", "\(words)")
        }
    }

    func testHelpStatesTheBounds() async {
        let apply = await runCLI(["apply", "--help"])
        XCTAssertTrue(apply.out.contains("  --parallelism N "), apply.out)
        XCTAssertTrue(apply.out.contains("Run at most N instances at once, 1 to 256 (default: 8)."), apply.out)
        let history = await runCLI(["help", "history"])
        XCTAssertTrue(history.out.contains("Show at most N operations, 1 to 10000 (default: 20)."), history.out)
        XCTAssertTrue(history.out.contains("at most 10 years back"), history.out)
    }
}

/// A bad option is reported before anything happens: no database, no plan file, no cloud call.
final class UsageErrorsChangeNothingTests: RepoTestCase {
    func testBadOptionsStopBeforeAnySideEffect() async {
        let planFile = repo.url.appendingPathComponent("p.json").path
        let cases: [[String]] = [
            ["apply", "--auto-approve", "--parallelism", "100000"],
            ["apply", "--auto-approve", "--parallelism", "-3"],
            ["apply", "--auto-approve", "--paralelism", "4"],
            ["plan", "--out", planFile, "--limit", "3"],
            ["history", "--since", "100000d", "--db", repo.dbPath],
        ]
        for words in cases {
            let provider = FakeCloudProvider()
            let run = await runCLI(words, repo: repo, provider: provider)
            XCTAssertEqual(run.code, 1, "\(words)")
            XCTAssertTrue(run.err.hasPrefix("error: "), run.err)
            XCTAssertEqual(run.out, "", "\(words)")
            let calls = await provider.calls
            XCTAssertTrue(calls.isEmpty, "\(words)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: repo.dbPath), "\(words)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: planFile), "\(words)")
        }
    }
}

final class SpellingTests: XCTestCase {
    func testEditDistanceCountsSwapsAsOneEdit() {
        let cases: [(String, String, Int)] = [
            ("", "", 0), ("", "abc", 3), ("abc", "", 3), ("apply", "apply", 0), ("aply", "apply", 1),
            ("hlep", "help", 1), ("stauts", "status", 1), ("kitten", "sitting", 3), ("ab", "ba", 1),
        ]
        for (a, b, expected) in cases {
            let distance = Spelling.editDistance(Array(a.unicodeScalars), Array(b.unicodeScalars))
            XCTAssertEqual(distance, expected, "\(a) → \(b)")
        }
    }
}

/// The small views: values in, text out.
final class CommandViewTests: XCTestCase {
    func testViewsRenderTheirValues() throws {
        let acquired = Date(timeIntervalSince1970: 1_795_300_000)
        let lock = LockRecord(
            instance: "acme", holder: "ci@host:42", acquiredAt: acquired,
            leaseUntil: acquired.addingTimeInterval(600))
        let cases: [(String, String)] = [
            (VersionView.render("1.2.3"), "cloudctl 1.2.3"),
            (UnlockView.render(instance: "acme", removed: nil), "acme was not locked."),
            (
                UnlockView.render(instance: "acme", removed: lock),
                "Removed the lock on acme held by ci@host:42 since 2026-11-21T22:26:40Z.\n"
                    + "If that apply is still running, it may fail; run `cloudctl status acme` to check."
            ),
            (ValidateView.summary([], fileCount: 1), "Validated 1 instance file: no problems."),
            (
                try HistoryView(format: .human, now: CLITestClock.now).render([], instance: "acme", since: acquired),
                "No operations recorded for acme since 2026-11-21T22:26:40Z."
            ),
            (try HistoryView(format: .json, now: CLITestClock.now).render([], instance: nil, since: nil), "[\n\n]"),
            (
                try StatusView(format: .human, now: CLITestClock.now).fleet([]),
                "No instances: add files under Instances/ and run `cloudctl plan`."
            ),
        ]
        for (index, (rendered, expected)) in cases.enumerated() {
            XCTAssertEqual(rendered, expected, "case \(index)")
        }
    }
}
