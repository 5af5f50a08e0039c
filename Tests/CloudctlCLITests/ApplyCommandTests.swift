import XCTest
import FleetModel
import ProviderAPI
import Store
import TestSupport
@testable import CloudctlCLI

/// apply, status, history and unlock end to end with a fake cloud and a real SQLite file.
final class ApplyCommandTests: RepoTestCase {
    func testApplyWithoutTerminalOrAutoApproveIsRefused() async throws {
        let provider = FakeCloudProvider()
        let run = await runCLI(["apply"], repo: repo, provider: provider)
        XCTAssertEqual(run.code, 1)
        XCTAssertTrue(
            run.err.contains("error: Refusing to apply without confirmation: standard input is not a terminal"), run.err
        )
        XCTAssertTrue(run.err.contains("--auto-approve"), run.err)
        let steps = await provider.steps
        XCTAssertEqual(steps, [])
        XCTAssertFalse(FileManager.default.fileExists(atPath: repo.dbPath))
    }

    func testApplyAsksAndOnlyYesIsAccepted() async throws {
        let provider = FakeCloudProvider()
        let declined = await runCLI(
            ["apply"], repo: repo, console: CapturedConsole(input: ["y"], stdinIsTerminal: true), provider: provider)
        XCTAssertEqual(declined.code, 1)
        XCTAssertTrue(declined.out.contains("Apply these changes? Only 'yes' is accepted: "))
        XCTAssertTrue(declined.err.contains("Apply cancelled"), declined.err)
        let steps = await provider.steps
        XCTAssertEqual(steps, [])

        let accepted = await runCLI(
            ["apply"], repo: repo, console: CapturedConsole(input: ["yes"], stdinIsTerminal: true), provider: provider)
        XCTAssertEqual(accepted.code, 0, accepted.err)
        let stepsAfterYes = await provider.steps
        XCTAssertEqual(stepsAfterYes.count, 13)
    }

    func testApplyRecordsStateThenPlanHasNoChanges() async throws {
        let provider = FakeCloudProvider()
        let run = await runCLI(["apply", "--auto-approve"], repo: repo, provider: provider)
        XCTAssertEqual(run.code, 0, run.err)
        let steps = await provider.steps
        XCTAssertEqual(steps.first, "acme create network")
        XCTAssertTrue(run.out.contains("2026-11-22T03:00:00Z acme [1/13] create network … ok\n"), run.out)
        XCTAssertTrue(run.out.contains("2026-11-22T03:00:00Z acme: succeeded\n"), run.out)
        XCTAssertTrue(run.out.contains("Apply complete: 1 succeeded, 0 failed, 0 deferred.\n"), run.out)
        let runLine = try XCTUnwrap(run.out.split(separator: "\n").first { $0.hasPrefix("Run r-") }, run.out)
        let runId = String(runLine.dropFirst(4).prefix { $0 != " " })
        XCTAssertTrue(
            run.out.hasSuffix(
                "Run `cloudctl status` to see the fleet, or `cloudctl history --run \(runId)` for every step.\n"),
            run.out)
        XCTAssertFalse(run.out.contains("test-secret"))

        let again = await runCLI(["apply", "--auto-approve"], repo: repo, provider: provider)
        XCTAssertEqual(again.code, 0)
        XCTAssertEqual(again.out, "No changes. Your fleet matches the instance files.\n")
        let stepsAfterRerun = await provider.steps
        XCTAssertEqual(stepsAfterRerun.count, 13)
        let plan = await runCLI(["plan", "--detailed-exitcode"], repo: repo)
        XCTAssertEqual(plan.code, 0)

        let status = await runCLI(["status"], repo: repo)
        XCTAssertEqual(status.code, 0, status.err)
        let row = try XCTUnwrap(status.out.split(separator: "\n").first { $0.hasPrefix("acme ") })
        XCTAssertTrue(row.contains("Acme Inc.  5.2.3    5.2.3    active/active"), String(row))
        XCTAssertTrue(row.contains("apply succeeded just now"), String(row))

        let detail = await runCLI(["status", "acme"], repo: repo)
        XCTAssertTrue(detail.out.contains("database-acme"), detail.out)
        // The attributes last applied, per resource, next to the cloud id.
        let databaseRow = detail.out.split(separator: "\n").first { $0.contains("database-acme") }
        XCTAssertTrue(databaseRow?.hasSuffix("db.t3.micro, 20 GB") ?? false, detail.out)
        XCTAssertTrue(detail.out.contains("registry.example.com/app:5.2.3, 256 CPU units, 512 MiB"), detail.out)
        let json = await runCLI(["status", "acme", "--json"], repo: repo)
        let entry = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any])
        let resources = try XCTUnwrap((entry["recorded"] as? [String: Any])?["resources"] as? [String: [String: Any]])
        let database = try XCTUnwrap(resources["database"]?["attributes"] as? [String: Any])
        XCTAssertEqual(database["databaseClass"] as? String, "db.t3.micro")
        XCTAssertEqual(database["storageGB"] as? Int, 20)
        XCTAssertTrue(detail.out.contains("Recent steps (newest first):"), detail.out)

        let history = await runCLI(["history", "acme", "--json"], repo: repo)
        let operations = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(history.out.utf8)) as? [[String: Any]])
        XCTAssertEqual(operations.count, 1)
        XCTAssertEqual(operations.first?["result"] as? String, "succeeded")
        XCTAssertEqual((operations.first?["steps"] as? [Any])?.count, 13)
    }

    func testFailedInstanceExits1WithItsError() async throws {
        let run = await runCLI(
            ["apply", "--auto-approve"], repo: repo, provider: FakeCloudProvider(failing: [.database]))
        XCTAssertEqual(run.code, 1)
        XCTAssertTrue(run.out.contains("acme [7/13] create database … failed: "), run.out)
        XCTAssertTrue(run.out.contains("Apply complete: 0 succeeded, 1 failed, 0 deferred.\n  acme: "), run.out)
        let history = await runCLI(["history"], repo: repo)
        XCTAssertTrue(history.out.contains("acme apply failed"), history.out)
        XCTAssertTrue(history.out.contains("error: fake:database: Broken: fake failure"), history.out)
    }

    func testStatusShowsFileOnlyAndOrphanedInstances() async throws {
        _ = await runCLI(["apply", "--auto-approve"], repo: repo)
        try FileManager.default.removeItem(at: repo.url.appendingPathComponent("Instances/acme.json"))
        try repo.writeSpec(Fixtures.spec("globex"))
        let run = await runCLI(["status"], repo: repo)
        let lines = run.out.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.first { $0.hasPrefix("acme ") }?.hasSuffix("orphaned: no instance file") == true, run.out)
        XCTAssertTrue(
            lines.first { $0.hasPrefix("globex ") }.map { $0.contains(" never ") && $0.hasSuffix("not applied yet") }
                == true, run.out)
        let json = await runCLI(["status", "--json"], repo: repo)
        let entries = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [[String: Any]])
        XCTAssertEqual(entries.map { $0["name"] as? String }, ["acme", "globex"])
    }

    func testUnlockSaysWhoHeldTheLock() async throws {
        _ = try SQLiteStateStore(path: repo.dbPath)
        let free = await runCLI(["unlock", "acme"], repo: repo)
        XCTAssertEqual(free.out, "acme was not locked.\n")
        try await SQLiteStateStore(path: repo.dbPath).acquireLock(instance: "acme", holder: "ci@runner:42", lease: 300)
        let run = await runCLI(["unlock", "acme"], repo: repo)
        XCTAssertEqual(run.code, 0)
        XCTAssertTrue(run.out.hasPrefix("Removed the lock on acme held by ci@runner:42 since "), run.out)
        let locks = try await SQLiteStateStore(path: repo.dbPath).locks()
        XCTAssertEqual(locks, [])
    }
}
