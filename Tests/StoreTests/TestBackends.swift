import Foundation
import XCTest
import StateBackend
@testable import PostgresStore
@testable import Store

/// One database of one backend that a test uses; `open` connects to it again (another runner, another process).
struct TestDatabase: Sendable {
    /// Which backend it is.
    enum Kind: String, Sendable { case sqlite, postgres }

    var kind: Kind
    /// The SQLite file, or the PostgreSQL URL (with the test's own schema on its search path).
    var target: String

    func open() throws -> any StateBackend {
        switch kind {
        case .sqlite: try SQLiteStateStore(path: target)
        case .postgres: try PostgresStateStore(PostgresLocation(target)!)
        }
    }

    /// Moves a lease into the past, as if its holder stopped renewing long ago (leases run on the database's clock).
    func expire(_ instance: String) throws {
        switch kind {
        case .sqlite:
            try Database(path: target).run(
                "UPDATE locks SET lease_until = lease_until - 3600 WHERE instance = ?", instance)
        case .postgres:
            try Connection(PostgresLocation(target)!).execute(
                "UPDATE locks SET lease_until = lease_until - 3600 WHERE instance = $1", [instance.postgresValue])
        }
    }
}

extension XCTestCase {
    /// The PostgreSQL server for tests (scripts/test starts one); nil when not set.
    static var testPostgresURL: String? {
        ProcessInfo.processInfo.environment["CLOUDCTL_TEST_PG_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// A fresh, empty database of each backend: SQLite always, PostgreSQL when CLOUDCTL_TEST_PG_URL is set (under
    /// CI=true its absence fails the test: the PostgreSQL half must not silently skip there).
    func testDatabases() throws -> [TestDatabase] {
        var databases = [TestDatabase(kind: .sqlite, target: temporaryDatabasePath())]
        if let url = Self.testPostgresURL {
            databases.append(TestDatabase(kind: .postgres, target: try temporaryPostgresSchema(url)))
        } else if ProcessInfo.processInfo.environment["CI"] == "true" {
            XCTFail("CLOUDCTL_TEST_PG_URL is not set: the PostgreSQL backend was not tested (run scripts/test)")
        }
        return databases
    }

    /// Runs `body` once per backend, each with its own fresh database; failures name the backend.
    func forEachBackend(
        file: StaticString = #filePath, line: UInt = #line,
        _ body: (TestDatabase) async throws -> Void
    ) async throws {
        for database in try testDatabases() {
            do {
                try await body(database)
            } catch {
                XCTFail("\(database.kind): \(error)", file: file, line: line)
            }
        }
    }

    /// A new schema on the test server, dropped after the test; returns a URL whose connections use it.
    func temporaryPostgresSchema(_ url: String) throws -> String {
        let schema = "test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let admin = try Connection(PostgresLocation(url)!)
        try admin.execute("CREATE SCHEMA \(schema)")
        addTeardownBlock { _ = try? admin.execute("DROP SCHEMA \(schema) CASCADE") }
        let separator = url.contains("?") ? "&" : "?"
        return url + separator + "options=-csearch_path%3D\(schema)"
    }
}
