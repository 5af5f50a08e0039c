import Foundation
import XCTest
import FleetModel
import StateBackend
import Store
import TestSupport
@testable import CloudctlCLI

/// `cloudctl report`: reads the files and the database, writes one page, and reads the journal in one batch.
final class ReportCommandTests: RepoTestCase {
    private var out: URL { repo.url.appendingPathComponent("site/fleet.html") }

    func testWritesThePageWithEveryInstanceAndItsPendingChanges() async throws {
        try repo.writeSpec(Fixtures.spec("beta"))
        let apply = await runCLI(["apply", "--auto-approve", "--ignore-maintenance-window"], repo: repo)
        XCTAssertEqual(apply.code, 0, apply.err)
        try repo.writeSpec(Fixtures.spec("beta", version: Version(5, 3, 0)))
        try repo.writeSpec(Fixtures.spec("gamma"))

        let run = await runCLI(["report", "--out", out.path], repo: repo)
        XCTAssertEqual(run.code, 0, run.err)
        XCTAssertTrue(run.out.contains("Open it in a browser: file://"), run.out)
        let html = try String(contentsOf: out, encoding: .utf8)
        XCTAssertTrue(html.hasPrefix("<!doctype html>"))
        let flags = try islandFlags(html)
        XCTAssertEqual(flags.keys.sorted(), ["acme", "beta", "gamma"])
        XCTAssertEqual(flags["acme"].map { $0 & 32 }, 0, "acme is converged")
        XCTAssertEqual(flags["beta"].map { $0 & 32 }, 32, "beta's upgrade is pending")
        XCTAssertEqual(flags["gamma"].map { $0 & (32 | 16) }, 48, "gamma is new: pending and not applied")
    }

    func testDashPrintsThePageWithoutADriftSection() async throws {
        let apply = await runCLI(["apply", "--auto-approve", "--ignore-maintenance-window"], repo: repo)
        XCTAssertEqual(apply.code, 0, apply.err)
        let run = await runCLI(["report", "--out", "-"], repo: repo)
        XCTAssertEqual(run.code, 0, run.err)
        XCTAssertTrue(run.out.hasPrefix("<!doctype html>"))
        XCTAssertFalse(run.out.contains("<section id=\"drift\">"), "drift is read only with --refresh")
    }

    func testMissingDatabaseIsAnErrorAndWritesNothing() async throws {
        let run = await runCLI(["report", "--out", out.path], repo: repo)
        XCTAssertEqual(run.code, 1)
        XCTAssertTrue(run.err.contains("no state database"), run.err)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path))
    }

    func testBatchHistoriesMatchOneInstanceAtATime() async throws {
        try repo.writeSpec(Fixtures.spec("beta"))
        for version in [Version(5, 2, 3), Version(5, 3, 0)] {
            try repo.writeSpec(Fixtures.spec("beta", version: version))
            let apply = await runCLI(["apply", "--auto-approve", "--ignore-maintenance-window"], repo: repo)
            XCTAssertEqual(apply.code, 0, apply.err)
        }
        let store = try SQLiteStateStore(path: repo.dbPath, access: .readOnly)
        let cases: [(operations: Int, steps: Int)] = [(1, 1), (2, 5), (20, 20)]
        for (operations, steps) in cases {
            let batch = try await store.batchHistories(
                ["acme", "beta", "nobody"], operations: operations, steps: steps)
            for name in ["acme", "beta", "nobody"] {
                let one = try await store.operations(instance: name, limit: operations)
                XCTAssertEqual(batch[name]?.operations.map(\.id), one.map(\.id), name)
                XCTAssertEqual(batch[name]?.operations.map(\.result), one.map(\.result), name)
                // The batch reads what the page shows (see `BatchHistoryReading`).
                let recent = try await store.recentSteps(instance: name, limit: steps).map(\.asReadForThePage)
                XCTAssertEqual(batch[name]?.steps, recent, name)
            }
            XCTAssertEqual(batch["beta"]?.operations.count, min(operations, 2))
        }
    }

    /// An instance recorded but without a file (being removed) is read after the others and still shows its journal.
    func testARecordedInstanceWithoutAFileKeepsItsJournal() async throws {
        try repo.writeSpec(Fixtures.spec("beta"))
        let apply = await runCLI(["apply", "--auto-approve", "--ignore-maintenance-window"], repo: repo)
        XCTAssertEqual(apply.code, 0, apply.err)
        try FileManager.default.removeItem(at: repo.url.appendingPathComponent("Instances/beta.json"))

        let run = await runCLI(["report", "--out", out.path], repo: repo)
        XCTAssertEqual(run.code, 0, run.err)
        let rows = try islandRows(try String(contentsOf: out, encoding: .utf8))
        XCTAssertEqual(rows.keys.sorted(), ["acme", "beta"])
        for name in ["acme", "beta"] {
            // Operations and steps are flattened arrays (docs/report.md): one apply each, 6 and 5 numbers per row.
            XCTAssertEqual((rows[name]?[11] as? [Any])?.count, 6, name)
            XCTAssertFalse((rows[name]?[12] as? [Any])?.isEmpty ?? true, name)
        }
    }

    /// Instance name → flags, from the page's data island.
    /// Mid-rollout (wave internal baking, wave rest awaiting approval): the page's Rollouts section shows what
    /// `rollout status` shows at the same clock; once the release is everywhere the section says so.
    func testRolloutSectionShowsTheWavesAsRolloutStatusDoes() async throws {
        let staged =
            #""staged": {"waves": [{"name": "internal", "types": ["internal"], "bake": "48h"}, "#
            + #"{"name": "rest", "approval": true}]}, "stable""#
        try repo.write("_fleet.json", TemporaryRepo.fleetFile.replacingOccurrences(of: #""stable""#, with: staged))
        try repo.writeSpec(Fixtures.spec("acme", channel: "staged"))
        try repo.writeSpec(Fixtures.spec("inhouse", type: .internal, channel: "staged"))
        try repo.writeSpec(Fixtures.spec("frozen", channel: "pause"))
        for arguments in [["apply", "--auto-approve"], ["rollout", "advance", "5.3.0"], ["apply", "--auto-approve"]] {
            let run = await runCLI(arguments, repo: repo)
            XCTAssertEqual(run.code, 0, arguments.joined(separator: " ") + run.out + run.err)
        }
        let later = CLITestClock.now + 17 * 3600

        let run = await runCLI(["report", "--out", out.path], repo: repo, now: later)
        XCTAssertEqual(run.code, 0, run.err)
        let html = try String(contentsOf: out, encoding: .utf8)
        let section = try rolloutSection(html)
        let expected = [
            "<h3 id=\"rollout-5.3.0\">Release 5.3.0</h3>",
            // internal: 1 of 1 on the release and healthy, done, 31h of bake left ("1d" as in `rollout status`), open.
            "<tr class=\"wave done\"><td>internal</td><td>staged</td><td>done</td>",
            "<td>1</td><td>1</td><td>1</td><td>0</td><td>0</td><td>0</td><td>0</td><td>1d</td>",
            "<span class=\"gate open\">open</span>",
            // rest: acme not started, held by internal's bake and its own approval.
            "<tr class=\"wave not-started\"><td>rest</td><td>staged</td><td>not started</td>",
            "<td>1</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>1</td><td>-</td>",
            "<span class=\"gate baking\">wave internal: bake 31h of 48h left</span>",
            "<span class=\"gate approval\">wave rest: needs approval",
            "Not reached: frozen (channel pause is paused)",
        ]
        for fragment in expected { XCTAssertTrue(section.contains(fragment), "\(fragment)\n---\n\(section)") }
        XCTAssertFalse(section.contains("Release 5.2.3"), "everyone runs 5.2.3 or newer: not rolling")

        // The same gates, word for word, as `rollout status` computes them (none holds a character to escape).
        let status = await runCLI(["rollout", "status", "5.3.0", "--json"], repo: repo, now: later)
        XCTAssertEqual(status.code, 0, status.err)
        let document = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(status.out.utf8)) as? [String: Any])
        let waves = try XCTUnwrap(document["waves"] as? [[String: Any]])
        let closures = waves.flatMap { $0["closures"] as? [String] ?? [] }
        XCTAssertEqual(closures.count, 2)
        for closure in closures {
            XCTAssertTrue(section.contains(closure), "\(closure)\n---\n\(section)")
        }

        // Approved and applied everywhere: the release is over and the section says nothing is rolling.
        let end = CLITestClock.now + 50 * 3600
        let approve = await runCLI(["rollout", "advance", "5.3.0", "--approve", "rest"], repo: repo, now: end)
        XCTAssertEqual(approve.code, 0, approve.out + approve.err)
        let apply = await runCLI(["apply", "--auto-approve", "--ignore-maintenance-window"], repo: repo, now: end)
        XCTAssertEqual(apply.code, 0, apply.out + apply.err)
        let done = await runCLI(["report", "--out", "-"], repo: repo, now: end)
        XCTAssertEqual(done.code, 0, done.err)
        XCTAssertTrue(try rolloutSection(done.out).contains("<p>No rollout in progress.</p>"), done.out)
    }

    /// Which releases the page calls rolling: named by a live file or record, and not yet run by every live one.
    func testRollingReleasesAreThoseSomeLiveInstanceHasNotReached() {
        let v520 = Version(5, 2, 0)
        let v523 = Version(5, 2, 3)
        let v530 = Version(5, 3, 0)
        let cases: [(why: String, specs: [InstanceSpec], running: [String: Version], rolling: [Version])] = [
            (
                "everyone runs what they desire", [Fixtures.spec("a"), Fixtures.spec("b")],
                ["a": v523, "b": v523], []
            ),
            (
                "one file bumped, not applied", [Fixtures.spec("a", version: v530), Fixtures.spec("b")],
                ["a": v523, "b": v523], [v530]
            ),
            (
                "three versions in use: the oldest is not rolling",
                [Fixtures.spec("a", version: v530), Fixtures.spec("b"), Fixtures.spec("c", version: v520)],
                ["a": v530, "b": v523, "c": v520], [v530, v523]
            ),
            (
                "never applied: every version it names is ahead of it", [Fixtures.spec("a"), Fixtures.spec("n")],
                ["a": v523], [v523]
            ),
            (
                "paused and deleted instances do not hold a release back",
                [
                    Fixtures.spec("a", version: v530), Fixtures.spec("p", version: v520, channel: "pause"),
                    Fixtures.spec("d", version: v520, state: .deleted),
                ],
                ["a": v530, "p": v520, "d": v520], []
            ),
            (
                "a version outside the catalog is not a rollout", [Fixtures.spec("a", version: Version(9, 9, 9))],
                ["a": v523], []
            ),
        ]
        for (why, specs, running, rolling) in cases {
            let recorded = running.map { RecordedInstance(name: $0.key, region: "us-east-1", runningVersion: $0.value) }
            XCTAssertEqual(
                ReportRollouts.rolling(fleet: Fixtures.fleet(), specs: specs, recorded: recorded), rolling, why)
        }
    }

    private func rolloutSection(_ html: String) throws -> String {
        let start = try XCTUnwrap(html.range(of: "<section id=\"rollouts\">"), "no rollout section")
        let end = try XCTUnwrap(html.range(of: "</section>", range: start.upperBound..<html.endIndex))
        return String(html[start.lowerBound..<end.upperBound])
    }

    private func islandFlags(_ html: String) throws -> [String: Int] {
        try islandRows(html).mapValues { $0[8] as! Int }
    }

    /// Instance name → its row of the page's data island.
    private func islandRows(_ html: String) throws -> [String: [Any]] {
        let start = try XCTUnwrap(html.range(of: "id=\"fleet-data\">"))
        let end = try XCTUnwrap(html.range(of: "</script>", range: start.upperBound..<html.endIndex))
        let data = try JSONSerialization.jsonObject(with: Data(html[start.upperBound..<end.lowerBound].utf8))
        let rows = try XCTUnwrap((data as? [String: Any])?["i"] as? [[Any]])
        return Dictionary(uniqueKeysWithValues: rows.map { ($0[0] as! String, $0) })
    }
}
