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
                let recent = try await store.recentSteps(instance: name, limit: steps)
                XCTAssertEqual(batch[name]?.steps, recent, name)
            }
            XCTAssertEqual(batch["beta"]?.operations.count, min(operations, 2))
        }
    }

    /// Instance name → flags, from the page's data island.
    private func islandFlags(_ html: String) throws -> [String: Int] {
        let start = try XCTUnwrap(html.range(of: "id=\"fleet-data\">"))
        let end = try XCTUnwrap(html.range(of: "</script>", range: start.upperBound..<html.endIndex))
        let data = try JSONSerialization.jsonObject(with: Data(html[start.upperBound..<end.lowerBound].utf8))
        let rows = try XCTUnwrap((data as? [String: Any])?["i"] as? [[Any]])
        return Dictionary(uniqueKeysWithValues: rows.map { ($0[0] as! String, $0[8] as! Int) })
    }
}
