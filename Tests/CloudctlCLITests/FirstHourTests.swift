import XCTest
import Foundation
import FleetModel
import TestSupport
import Executor
@testable import CloudctlCLI

/// Support's view: the status sync column and filters, history runs and limits, apply --json.
final class StatusSupportViewTests: RepoTestCase {
    /// acme (stable, 5.2.3, label owner=team-a) applied; beta (canary channel file, never applied); gamma's first
    /// apply failed at the database.
    private func fleetWithEveryKindOfRow() async throws {
        var acme = Fixtures.spec("acme")
        acme.labels = ["owner": "team-a"]
        try repo.writeSpec(acme)
        let ok = await runCLI(["apply", "--auto-approve", "acme"], repo: repo)
        XCTAssertEqual(ok.code, 0, ok.err)
        try repo.writeSpec(Fixtures.spec("gamma", version: Version(5, 3, 0)))
        let failing = await runCLI(
            ["apply", "--auto-approve", "gamma"], repo: repo, provider: FakeCloudProvider(failing: [.database]))
        XCTAssertEqual(failing.code, 1, failing.out)
        try repo.writeSpec(Fixtures.spec("beta", channel: "pause"))
    }

    func testSyncColumnNeverCallsAFailedFirstApplyActive() async throws {
        try await fleetWithEveryKindOfRow()
        let status = await runCLI(["status"], repo: repo)
        XCTAssertEqual(status.code, 0, status.err)
        let rows = status.out.split(separator: "\n").map(String.init)
        XCTAssertTrue(rows[0].contains("SYNC"), status.out)
        let row = { (name: String) in rows.first { $0.hasPrefix(name + " ") } ?? "" }
        XCTAssertTrue(row("acme").contains("in sync"), status.out)
        XCTAssertTrue(row("beta").contains("pending changes"), status.out)
        XCTAssertTrue(row("gamma").contains("half-provisioned"), status.out)
        XCTAssertTrue(row("gamma").contains("active/provisioning"), status.out)
        XCTAssertFalse(row("gamma").contains("active/active"), status.out)
    }

    func testFiltersSelectRows() async throws {
        try await fleetWithEveryKindOfRow()
        let cases: [(words: [String], names: [String])] = [
            (["--channel", "pause"], ["beta"]),
            (["--channel", "stable"], ["acme", "gamma"]),
            (["--version", "5.3.0"], ["gamma"]),
            (["--state", "active"], ["acme", "beta", "gamma"]),
            (["--state", "suspended"], []),
            (["--label", "owner=team-a"], ["acme"]),
            (["--label", "owner=team-b"], []),
            (["--failed"], ["gamma"]),
            (["--channel", "stable", "--failed"], ["gamma"]),
        ]
        for (words, names) in cases {
            let run = await runCLI(["status", "--json"] + words, repo: repo)
            XCTAssertEqual(run.code, 0, "\(words): \(run.err)")
            let rows = try XCTUnwrap(
                JSONSerialization.jsonObject(with: Data(run.out.utf8)) as? [[String: Any]], "\(words)")
            XCTAssertEqual(rows.compactMap { $0["name"] as? String }, names, "\(words)")
        }
        let none = await runCLI(["status", "--state", "deleted"], repo: repo)
        XCTAssertEqual(none.out, "No instances match the filters.\n")
    }

    func testBadFiltersAreUsageErrors() async throws {
        try await fleetWithEveryKindOfRow()
        let cases: [(words: [String], message: String)] = [
            (["--state", "running"], "--state must be one of active, suspended, deleted, got 'running'"),
            (["--version", "five"], "--version must be a version like 5.2.3, got 'five'"),
            (["--label", "owner"], "--label must be KEY=VALUE, e.g. owner=team-a, got 'owner'"),
            (["acme", "--failed"], "Filters select rows of the fleet table; drop the instance name"),
        ]
        for (words, message) in cases {
            let run = await runCLI(["status"] + words, repo: repo)
            XCTAssertEqual(run.code, 1, "\(words)")
            XCTAssertEqual(run.err.split(separator: "\n").first.map(String.init), "error: " + message, "\(words)")
            XCTAssertEqual(run.out, "")
        }
        let typo = await runCLI(["status", "--channel", "stabel"], repo: repo)
        XCTAssertEqual(typo.code, 1)
        XCTAssertTrue(typo.err.contains("Unknown channel \"stabel\""), typo.err)
        XCTAssertTrue(typo.err.contains("Did you mean 'stable'?"), typo.err)
    }

    func testHistoryRecordsRunsAndSaysHowManyMore() async throws {
        try await fleetWithEveryKindOfRow()
        let json = await runCLI(["history", "--json"], repo: repo)
        let operations = try XCTUnwrap(
            JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [[String: Any]], json.out)
        XCTAssertEqual(operations.count, 2)
        let runs = operations.compactMap { ($0["run"] as? [String: Any])?["id"] as? String }
        XCTAssertEqual(runs.count, 2)
        XCTAssertNotEqual(runs[0], runs[1], "each apply is its own run")
        XCTAssertTrue(runs.allSatisfy { $0.hasPrefix("r-20261122T030000Z-") }, "\(runs)")

        let one = await runCLI(["history", "--run", runs[1]], repo: repo)
        XCTAssertEqual(one.code, 0, one.err)
        XCTAssertTrue(one.out.hasPrefix("#1 acme apply succeeded"), one.out)
        // Who and from where: user@host, without the lock holder's pid.
        XCTAssertTrue(one.out.contains(", by \(HistoryView.who(LockHolder.current()))\n"), one.out)
        XCTAssertFalse(one.out.contains(" pid "), one.out)
        XCTAssertTrue(one.out.contains("  run \(runs[1]), "), one.out)
        XCTAssertFalse(one.out.contains("gamma"), one.out)

        let limited = await runCLI(["history", "--limit", "1"], repo: repo)
        XCTAssertTrue(limited.out.hasSuffix("\n1 more operation not shown; raise --limit to see them.\n"), limited.out)
        let all = await runCLI(["history", "--limit", "2"], repo: repo)
        XCTAssertFalse(all.out.contains("not shown"), all.out)
        let unknown = await runCLI(["history", "--run", "r-nope"], repo: repo)
        XCTAssertEqual(unknown.out, "No operations recorded.\n")
    }

    func testApplyJSONPrintsOneResultPerInstanceAndNothingElse() async throws {
        try repo.writeSpec(Fixtures.spec("gamma"))
        let run = await runCLI(
            ["apply", "--auto-approve", "--json"], repo: repo, provider: FakeCloudProvider(failing: [.database]))
        XCTAssertEqual(run.code, 1)
        let document = try XCTUnwrap(
            JSONSerialization.jsonObject(with: Data(run.out.utf8)) as? [String: Any], "stdout: \(run.out)")
        XCTAssertEqual(document["succeeded"] as? Bool, false)
        let instances = try XCTUnwrap(document["instances"] as? [[String: Any]])
        XCTAssertEqual(instances.map { $0["name"] as? String }, ["acme", "gamma"])
        XCTAssertEqual(instances.map { $0["result"] as? String }, ["failed", "failed"])
        XCTAssertNotNil((document["run"] as? [String: Any])?["id"] as? String)
        XCTAssertTrue(run.err.contains("will be provisioned"), "the plan goes to stderr: \(run.err)")
        XCTAssertTrue(run.err.contains("Apply complete:"), run.err)
    }
}

/// CI's view: diagnostics in the format asked for, validate --json, trial expiry.
final class MachineReadableProblemsTests: RepoTestCase {
    private func breakAFile() throws {
        try repo.write("broken.json", #"{"name": "broken", "sise": "small"}"#)
    }

    func testPlanWithErrorsPrintsThemInTheRequestedFormat() async throws {
        try breakAFile()
        let markdown = await runCLI(["plan", "--markdown"], repo: repo)
        XCTAssertEqual(markdown.code, 1)
        XCTAssertTrue(markdown.out.hasPrefix("### cloudctl plan\n\n**"), markdown.out)
        XCTAssertTrue(markdown.out.contains("- error: `Instances/broken.json"), markdown.out)
        XCTAssertTrue(markdown.err.contains("broken.json"), "stderr still has them: \(markdown.err)")

        let json = await runCLI(["plan", "--json"], repo: repo)
        XCTAssertEqual(json.code, 1)
        let document = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any])
        XCTAssertEqual(document["valid"] as? Bool, false)
        let diagnostics = try XCTUnwrap(document["diagnostics"] as? [[String: Any]])
        XCTAssertTrue(
            diagnostics.contains { ($0["location"] as? [String: Any])?["file"] as? String == "Instances/broken.json" })

        let text = await runCLI(["plan"], repo: repo)
        XCTAssertEqual(text.code, 1)
        XCTAssertEqual(text.out, "", "the text plan keeps problems on stderr")
    }

    func testValidateJSON() async throws {
        let clean = await runCLI(["validate", "--json"], repo: repo)
        XCTAssertEqual(clean.code, 0, clean.err)
        let ok = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(clean.out.utf8)) as? [String: Any])
        XCTAssertEqual(ok["valid"] as? Bool, true)
        XCTAssertEqual(ok["instanceFiles"] as? Int, 1)
        XCTAssertEqual(clean.err, "")

        try breakAFile()
        let broken = await runCLI(["validate", "--json"], repo: repo)
        XCTAssertEqual(broken.code, 1)
        let bad = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(broken.out.utf8)) as? [String: Any])
        XCTAssertEqual(bad["valid"] as? Bool, false)
        XCTAssertGreaterThan(bad["errors"] as? Int ?? 0, 0)
    }

    func testTrialsThatExpiredOrEndSoonAreWarnings() async throws {
        // The fixture trial expires 2027-01-31; the clock is moved around it.
        try repo.writeSpec(Fixtures.spec("umbrella", type: .trial))
        let day = { (text: String) in try Date(text, strategy: .iso8601) }
        let cases: [(now: Date, warning: String?)] = [
            (try day("2027-01-20T12:00:00Z"), nil),
            (try day("2027-01-26T12:00:00Z"), "trial of umbrella ends on 2027-01-31 (in 5 days)"),
            (try day("2027-01-31T12:00:00Z"), "trial of umbrella ends today (2027-01-31)"),
            (try day("2027-02-01T00:00:00Z"), "trial of umbrella expired on 2027-01-31"),
        ]
        for (now, warning) in cases {
            for command in [["validate"], ["plan"], ["status"]] {
                if command == ["status"] { _ = await runCLI(["apply", "--auto-approve"], repo: repo, now: now) }
                let run = await runCLI(command, repo: repo, now: now)
                XCTAssertEqual(run.code, 0, "\(command) \(now): \(run.err)")
                if let warning {
                    XCTAssertTrue(
                        run.err.contains("Instances/umbrella.json (trial.expires): warning: \(warning)"),
                        "\(command) \(now): \(run.err)")
                } else {
                    XCTAssertFalse(run.err.contains("trial of"), "\(command) \(now): \(run.err)")
                }
            }
        }
    }
}

/// Help: exit codes, environment variables, and only the global options a command uses.
final class HelpTests: XCTestCase {
    func testHelpListsExitCodesEnvironmentAndOnlyUsedGlobals() async {
        let cases: [(command: String, has: [String], lacks: [String])] = [
            ("plan", ["EXIT CODES:", "  2    with --detailed-exitcode", "CLOUDCTL_DB", "--db PATH", "--repo DIR"], []),
            ("apply", ["  130  interrupted", "AWS_ENDPOINT_URL", "CLOUDCTL_STEP_TIMEOUT", "--json"], []),
            ("validate", ["--repo DIR", "--json", "ENVIRONMENT:\n  (none)"], ["--db"]),
            ("show", ["NO_COLOR"], ["--db", "--repo"]),
            ("version", ["  0    always"], ["--db", "--repo"]),
            ("status", ["--channel NAME", "--label KEY=VALUE", "--failed", "CLOUDCTL_DB"], []),
            ("history", ["--run ID", "CLOUDCTL_DB"], []),
        ]
        for (command, has, lacks) in cases {
            let run = await runCLI([command, "--help"])
            XCTAssertEqual(run.code, 0)
            for text in has { XCTAssertTrue(run.out.contains(text), "\(command) lacks \(text):\n\(run.out)") }
            for text in lacks { XCTAssertFalse(run.out.contains(text), "\(command) has \(text):\n\(run.out)") }
        }
    }

    func testUnusedGlobalsAreRefusedAndErrorsAreSpelledOneWay() async {
        for words in [["version", "--db", "x.db"], ["show", "p.json", "--repo", "."], ["validate", "--db", "x.db"]] {
            let run = await runCLI(words)
            XCTAssertEqual(run.code, 1, "\(words)")
            XCTAssertTrue(run.err.hasPrefix("error: Unknown option '--"), run.err)
            XCTAssertTrue(run.err.contains("\nusage: cloudctl \(words[0])"), run.err)
        }
    }
}
