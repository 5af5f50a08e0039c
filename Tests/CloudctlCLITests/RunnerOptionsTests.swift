import XCTest
import TestSupport
import FleetModel
import Executor
@testable import CloudctlCLI

/// `apply --shard`, `--lock-timeout`, `--skip-locked`, `--max-rate`, `--changed-since`: typed, and bad values are
/// usage errors that quote them before anything runs.
final class RunnerOptionsTests: XCTestCase {
    private let environment = CLIEnvironment(
        console: CapturedConsole().console, variables: [:], homeDirectory: "/nonexistent",
        currentDirectory: FileManager.default.temporaryDirectory.path, trapSignals: false)

    func testValidValues() throws {
        var expected = ApplyOptions()
        expected.shard = Shard(index: 2, count: 3)
        expected.waveTimeout = 600
        expected.runId = "run-7"
        expected.lockWait = .skip
        expected.maxRate = 20
        let words = [
            "--shard", "2/3", "--wave-timeout", "10m", "--run-id", "run-7", "--skip-locked", "--max-rate", "20",
        ]
        XCTAssertEqual(try ApplyOptions.parse(words, environment: environment), expected)

        let cases: [(String, LockWait)] = [("90s", .wait(90)), ("5m", .wait(300)), ("1h", .wait(3600)), ("0", .fail)]
        for (text, wait) in cases {
            XCTAssertEqual(try ApplyOptions.parse(["--lock-timeout", text], environment: environment).lockWait, wait)
        }
        XCTAssertEqual(
            try ApplyOptions.parse(["--changed-since", "origin/main"], environment: environment).changedSince,
            "origin/main")
        XCTAssertEqual(
            try PlanOptions.parse(["--changed-since", "HEAD~2"], environment: environment).changedSince, "HEAD~2")
        XCTAssertEqual(
            try ValidateOptions.parse(["--changed-since", "v1"], environment: environment).changedSince, "v1")
    }

    func testBadValuesAreUsageErrors() {
        let cases: [(CommandSpec, [String], String)] = [
            (ApplyOptions.spec, ["--shard", "0/2"], "--shard \"0/2\" K must be between 1 and N (2)"),
            (ApplyOptions.spec, ["--shard", "3/2"], "--shard \"3/2\" K must be between 1 and N (2)"),
            (ApplyOptions.spec, ["--shard", "1/0"], "--shard \"1/0\" N must be between 1 and 256"),
            (ApplyOptions.spec, ["--shard", "half"], "--shard \"half\" must be K/N with whole numbers, e.g. 1/2"),
            (ApplyOptions.spec, ["--wave-timeout", "5m"], "--wave-timeout only applies with --shard K/N"),
            (ApplyOptions.spec, ["--run-id", "x"], "--run-id only applies with --shard K/N"),
            (
                ApplyOptions.spec, ["--shard", "1/2", "--wave-timeout", "soon"],
                "--wave-timeout must be a duration like 30s, 5m or 1h, got 'soon'"
            ),
            (ApplyOptions.spec, ["--lock-timeout", "25h"], "--lock-timeout must be at most 24h, got '25h'"),
            (
                ApplyOptions.spec, ["--lock-timeout", "-1s"],
                "--lock-timeout must be a duration like 30s, 5m or 1h, got '-1s'"
            ),
            (
                ApplyOptions.spec, ["--lock-timeout", "5m", "--skip-locked"],
                "Options '--lock-timeout' and '--skip-locked' cannot be used together"
            ),
            (ApplyOptions.spec, ["--max-rate", "0"], "--max-rate must be between 1 and 10000, got 0"),
            (
                ApplyOptions.spec, ["acme", "--changed-since", "main"],
                "--changed-since selects the instances itself; pass no instance names"
            ),
            (
                PlanOptions.spec, ["--changed-since", "--json"],
                "Missing value for option '--changed-since REF'"
            ),
            (
                PlanOptions.spec, ["--changed-since=-x"],
                "--changed-since must name a git revision (e.g. origin/main), got '-x'"
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
}
