import Foundation
import XCTest
import PostgresStore
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
