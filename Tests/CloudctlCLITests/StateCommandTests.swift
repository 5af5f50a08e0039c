import Foundation
import XCTest
import FleetModel
import PostgresStore
import Store
@testable import CloudctlCLI

/// `cloudctl state copy|check` options, and how `--db` tells a PostgreSQL URL from a SQLite path.
final class StateCommandTests: XCTestCase {
    private let environment = CLIEnvironment(
        console: CapturedConsole().console, variables: [:], homeDirectory: "/home/x", currentDirectory: "/work",
        trapSignals: false)

    func testOptions() throws {
        let url = "postgres://ci:s3cret@127.0.0.1/fleet"
        let cases: [(words: [String], action: StateOptions.Action)] = [
            (["check"], .check),
            (["copy", "--from", "a.db", "--to", url], .copy(from: "a.db", to: try XCTUnwrap(PostgresLocation(url)))),
        ]
        for (words, action) in cases {
            XCTAssertEqual(try StateOptions.parse(words, environment: environment).action, action, "\(words)")
        }
    }

    func testUsageErrorsSayWhatIsWrong() {
        let cases: [(words: [String], message: String)] = [
            (["copy", "--from", "a.db"], "state copy needs --from PATH and --to URL"),
            (["copy", "--to", "postgres://ci:s3cret@127.0.0.1/fleet"], "state copy needs --from PATH and --to URL"),
            (["copy", "--from", "a.db", "--to", "b.db"], "--to must be a postgres:// or postgresql:// URL"),
            (["check", "--from", "a.db"], "state check takes no --from or --to (it checks --db)"),
            (["move"], "Unknown state action 'move' (copy or check)"),
        ]
        for (words, message) in cases {
            XCTAssertThrowsError(try StateOptions.parse(words, environment: environment), "\(words)") {
                XCTAssertEqual(($0 as? UsageError)?.message, message)
            }
        }
    }

    func testDbTellsAPostgresURLFromASQLitePathAndShowsNoPassword() {
        let cases: [(db: String, shown: String, postgres: Bool)] = [
            ("postgres://ci:s3cret@127.0.0.1:5432/fleet", "postgres://ci:***@127.0.0.1:5432/fleet", true),
            ("postgresql://127.0.0.1/fleet", "postgresql://127.0.0.1/fleet", true),
            ("state.db", "/work/state.db", false),
            ("postgres-backup.db", "/work/postgres-backup.db", false),
        ]
        for (db, shown, postgres) in cases {
            let context = CommandContext(global: GlobalOptions(db: db), environment: environment)
            XCTAssertEqual(context.dbPath, shown, db)
            XCTAssertEqual(context.postgres != nil, postgres, db)
            let fromVariable = CommandContext(
                global: GlobalOptions(),
                environment: CLIEnvironment(
                    console: CapturedConsole().console, variables: ["CLOUDCTL_DB": db], homeDirectory: "/home/x",
                    currentDirectory: "/work", trapSignals: false))
            XCTAssertEqual(fromVariable.dbPath, shown, db)
        }
    }
}

/// `cloudctl state check` end to end on a SQLite file (the PostgreSQL path: Tests/EndToEnd/test_postgres.py).
final class StateCheckCommandTests: RepoTestCase {
    func testCheckPassesAConsistentDatabaseAndListsEveryProblemOtherwise() async throws {
        let missing = await runCLI(["state", "check"], repo: repo)
        XCTAssertEqual(missing.code, 1)
        XCTAssertTrue(missing.err.contains("no state database at \(repo.dbPath)"), missing.err)

        let store = try SQLiteStateStore(path: repo.dbPath)
        let consistent = await runCLI(["state", "check"], repo: repo)
        XCTAssertEqual(consistent.code, 0, consistent.err)
        XCTAssertTrue(consistent.out.contains("is consistent"), consistent.out)

        // A run that died mid-step and left no lock behind (e.g. it was force-unlocked).
        let operation = try await store.beginOperation(instance: "acme", kind: "apply", holder: "gone", now: Date())
        _ = try await store.beginStep(
            operationId: operation, instance: "acme", index: 2,
            step: PlanStep(action: .create, resource: .bucket, reason: .teardown),
            now: Date())
        let inconsistent = await runCLI(["state", "check"], repo: repo)
        XCTAssertEqual(inconsistent.code, 1)
        XCTAssertEqual(
            inconsistent.out, "acme: step 3 (id 1) is journaled running, but no live lock covers the instance\n")
        XCTAssertTrue(inconsistent.err.contains("is inconsistent: 1 problem(s)"), inconsistent.err)
    }
}
