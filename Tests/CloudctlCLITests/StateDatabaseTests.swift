import XCTest
import FleetModel
import StateBackend
import TestSupport
@testable import Store
@testable import CloudctlCLI

/// How commands open the state database: read-only for reading, created only by apply, tied to one fleet, and every
/// failure named with its path and a next step.
final class StateDatabaseTests: RepoTestCase {
    func testOnlyApplyCreatesAMissingDatabase() async throws {
        let cases: [(arguments: [String], code: Int32, error: String?)] = [
            (["status"], 1, "error: no state database at \(repo.dbPath)"),
            (["unlock", "acme"], 1, "error: no state database at \(repo.dbPath)"),
            (["plan"], 0, nil),
            (["history"], 0, nil),
            (["validate"], 0, nil),
        ]
        for (arguments, code, error) in cases {
            let run = await runCLI(arguments, repo: repo)
            XCTAssertEqual(run.code, code, "\(arguments): \(run.err)")
            if let error {
                XCTAssertTrue(run.err.contains(error), "\(arguments): \(run.err)")
                XCTAssertTrue(run.err.contains("`cloudctl apply` creates the database"), "\(arguments): \(run.err)")
            }
            XCTAssertFalse(FileManager.default.fileExists(atPath: repo.dbPath), "\(arguments) created the database")
        }
        let plan = await runCLI(["plan"], repo: repo)
        XCTAssertTrue(plan.out.contains("acme"), "plans from nothing: \(plan.out)")

        let apply = await runCLI(["apply", "--auto-approve"], repo: repo)
        XCTAssertEqual(apply.code, 0, apply.err)
        XCTAssertTrue(FileManager.default.fileExists(atPath: repo.dbPath))
    }

    func testTheFirstApplyRecordsTheFleetAndAnotherFleetsFilesAreRefused() async throws {
        let apply = await runCLI(["apply", "--auto-approve"], repo: repo)
        XCTAssertEqual(apply.code, 0, apply.err)
        XCTAssertEqual(try SQLiteStateStore(path: repo.dbPath).fleet(), "test")

        try repo.write("_fleet.json", TemporaryRepo.fleetFile.replacingOccurrences(of: "\"test\"", with: "\"other\""))
        for arguments in [["plan"], ["status"], ["apply", "--auto-approve"]] {
            let run = await runCLI(arguments, repo: repo)
            XCTAssertEqual(run.code, 1, "\(arguments): \(run.out)")
            XCTAssertTrue(
                run.err.contains(
                    "error: \(repo.dbPath) belongs to fleet 'test', but the instance files are "
                        + "fleet 'other'"), "\(arguments): \(run.err)")
            XCTAssertTrue(run.err.contains("Pass --db"), "\(arguments): \(run.err)")
        }
        XCTAssertEqual(try SQLiteStateStore(path: repo.dbPath).fleet(), "test", "the owner is never rewritten")
    }

    func testReadingCommandsNeitherMigrateNorWrite() async throws {
        _ = await runCLI(["apply", "--auto-approve"], repo: repo)
        // As a file from the previous cloudctl: without the `meta` table readers can do without.
        // Checkpointed and closed before the bytes are taken: otherwise this writer's own close could move the WAL into
        // the file later, while the readers run, and look like a write of theirs.
        do {
            let database = try Database(path: repo.dbPath)
            try database.execute(
                "DROP TABLE meta; DELETE FROM schema_migrations WHERE id = '003-meta'; PRAGMA wal_checkpoint(TRUNCATE)")
        }
        let before = try Data(contentsOf: URL(fileURLWithPath: repo.dbPath))
        for arguments in [["plan"], ["status"], ["status", "acme"], ["history"]] {
            let run = await runCLI(arguments, repo: repo)
            XCTAssertEqual(run.code, 0, "\(arguments): \(run.err)")
        }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: repo.dbPath)), before)
        let applied = try Migrations.applied(in: Database(path: repo.dbPath, readOnly: true))
        XCTAssertFalse(applied.contains("003-meta"), "a reading command migrated the file")
    }

    func testApplyUpgradesAFileThatReadersRefuse() async throws {
        _ = await runCLI(["apply", "--auto-approve"], repo: repo)
        let migration = Migrations.all.first { $0.id == "002-attributes" }!
        try Database(path: repo.dbPath).run("DELETE FROM schema_migrations WHERE id = ?", migration.id)
        let refused = await runCLI(["status"], repo: repo)
        XCTAssertEqual(refused.code, 1)
        XCTAssertTrue(refused.err.contains("Run `cloudctl apply` once with this cloudctl"), refused.err)
        // The migration's columns exist already, so re-running it fails: drop them the way the old schema lacked them.
        try Database(path: repo.dbPath).execute(
            """
            ALTER TABLE resources DROP COLUMN attributes; ALTER TABLE instances DROP COLUMN provisioned;
            ALTER TABLE instances DROP COLUMN protected;
            """)

        let apply = await runCLI(["apply", "--auto-approve"], repo: repo)
        XCTAssertEqual(apply.code, 0, apply.err)
        let status = await runCLI(["status"], repo: repo)
        XCTAssertEqual(status.code, 0, status.err)
    }

    func testEveryDatabaseFailureNamesThePathAndWhatToDo() async throws {
        let path = repo.dbPath
        let cases: [(name: String, prepare: () throws -> Void, error: String, next: String)] = [
            (
                "not a database", { try Data(repeating: 0x41, count: 4096).write(to: URL(fileURLWithPath: path)) },
                "\(path) is not a cloudctl state database", "Check that --db (or CLOUDCTL_DB) names the state file"
            ),
            (
                "newer schema",
                {
                    _ = try SQLiteStateStore(path: path)
                    try Database(path: path).run(
                        "INSERT INTO schema_migrations (id, applied_at) VALUES ('999-future', 0)")
                }, "\(path) was written by a newer cloudctl (unknown migration 999-future)", "Upgrade cloudctl"
            ),
            (
                "older schema",
                {
                    _ = try SQLiteStateStore(path: path)
                    try Database(path: path).run("DELETE FROM schema_migrations WHERE id = '002-attributes'")
                }, "\(path) was written by an older cloudctl", "Run `cloudctl apply` once with this cloudctl"
            ),
            (
                "corrupt",
                {
                    _ = try SQLiteStateStore(path: path)
                    try Database(path: path).run(
                        """
                        INSERT INTO instances (name, region, state, updated_at) VALUES ('acme', 'r', 'sekrit', 0)
                        """)
                }, "\(path) holds unreadable state", "Restore it from a backup"
            ),
        ]
        for (name, prepare, error, next) in cases {
            try? FileManager.default.removeItem(at: URL(fileURLWithPath: path).deletingLastPathComponent())
            try FileManager.default.createDirectory(
                at: URL(fileURLWithPath: path).deletingLastPathComponent(),
                withIntermediateDirectories: true)
            try prepare()
            for arguments in [["plan"], ["status"]] {
                let run = await runCLI(arguments, repo: repo)
                XCTAssertEqual(run.code, 1, "\(name) \(arguments)")
                XCTAssertTrue(run.err.contains("error: " + error), "\(name) \(arguments): \(run.err)")
                XCTAssertTrue(run.err.contains(next), "\(name) \(arguments): \(run.err)")
            }
        }
    }

    func testBusyAndReadOnlyErrorsSayWhatToDo() {
        let cases: [(SQLiteError, String)] = [
            (SQLiteError(code: 5, message: "database is locked"), "/x/state.db is busy"),
            (SQLiteError(code: 8, message: "attempt to write a readonly database"), "/x/state.db is read-only"),
            (SQLiteError(code: 26, message: "file is not a database"), "/x/state.db is not a cloudctl state database"),
        ]
        for (error, summary) in cases {
            let diagnostic = error.backendError(path: "/x/state.db").diagnostic
            XCTAssertTrue(diagnostic.summary.hasPrefix(summary), diagnostic.summary)
            XCTAssertFalse(diagnostic.detail?.isEmpty ?? true, "\(summary): no next step")
        }
    }
}
