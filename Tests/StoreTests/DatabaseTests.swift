import Foundation
import XCTest
import StateBackend
import TestSupport
@testable import Store

final class DatabaseTests: XCTestCase {
    func testMigrationsApplyOnceAndReopenCleanly() async throws {
        let path = temporaryDatabasePath()
        _ = try SQLiteStateStore(path: path)
        let reopened = try SQLiteStateStore(path: path)
        let (applied, rows) = try await reopened.serialized { database in
            (
                try Migrations.applied(in: database),
                try database.query("SELECT count(*) FROM schema_migrations") { try $0.column(0, as: Int.self) }.first
            )
        }
        XCTAssertEqual(applied, Migrations.all.map(\.id))
        XCTAssertEqual(rows, Migrations.all.count)
    }

    func testLaterMigrationIsAppliedToAnExistingFileInOrder() async throws {
        let path = temporaryDatabasePath()
        _ = try SQLiteStateStore(path: path)
        let database = try Database(path: path)
        let extended = Migrations.all + [Migration(id: "900-test", sql: "CREATE TABLE extra (x INTEGER)")]
        try Migrations.apply(extended, to: database)
        try Migrations.apply(extended, to: database)
        XCTAssertEqual(try Migrations.applied(in: database), extended.map(\.id))
    }

    /// A row recorded before attributes were kept counts as protected: lifting protection must be its own applied
    /// change, so an upgraded database cannot let one edit both lift it and tear the instance down.
    func testRowsFromBeforeTheAttributesMigrationCountAsProtectedAndProvisioned() async throws {
        let path = temporaryDatabasePath()
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let database = try Database(path: path)
        try Migrations.apply(Array(Migrations.all.prefix(1)), to: database)
        try database.run(
            "INSERT INTO instances (name, region, state, updated_at) VALUES ('acme', 'us-east-1', 'active', 0)")
        let store = try SQLiteStateStore(path: path)
        let recorded = try await store.recordedInstance("acme")
        XCTAssertEqual(recorded?.protected, true)
        XCTAssertEqual(recorded?.provisioned, true)
    }

    func testFileFromNewerBuildIsRefused() async throws {
        let path = temporaryDatabasePath()
        _ = try SQLiteStateStore(path: path)
        try Database(path: path).run("INSERT INTO schema_migrations (id, applied_at) VALUES ('999-future', 0)")
        XCTAssertThrowsError(try SQLiteStateStore(path: path)) { error in
            XCTAssertEqual(error as? StateBackendError, .newerSchema(migration: "999-future", path: path))
        }
    }

    func testConnectionUsesWALAndForeignKeys() async throws {
        let store = try makeStore()
        let pragmas = try await store.serialized { database in
            try ["journal_mode", "foreign_keys", "synchronous", "busy_timeout"].map { name in
                try database.query("PRAGMA \(name)") { $0.value(0) }.first
            }
        }
        XCTAssertEqual(pragmas, [.text("wal"), .integer(1), .integer(1), .integer(30000)])
    }

    func testInitCreatesParentDirectoriesAndOpenIfExistsCreatesNothing() async throws {
        let path = temporaryDatabasePath()
        XCTAssertNil(try SQLiteStateStore.openIfExists(path: path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
        _ = try SQLiteStateStore(path: path)
        XCTAssertNotNil(try SQLiteStateStore.openIfExists(path: path))
    }

    func testReadOnlyOpenCreatesNothingAndRefusesWrites() async throws {
        let path = temporaryDatabasePath()
        XCTAssertThrowsError(try SQLiteStateStore(path: path, access: .readOnly)) {
            XCTAssertEqual($0 as? StateBackendError, .missing(path: path))
        }
        XCTAssertThrowsError(try SQLiteStateStore(path: path, access: .readWrite(create: false))) {
            XCTAssertEqual($0 as? StateBackendError, .missing(path: path))
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
        try await SQLiteStateStore(path: path).acquireLock(instance: "acme", holder: "h", lease: 60)

        let reader = try SQLiteStateStore(path: path, access: .readOnly)
        let locks = try await reader.locks()
        XCTAssertEqual(locks.map(\.instance), ["acme"])
        await XCTAssertThrowsErrorAsync({ try await reader.releaseLock(instance: "acme", holder: "h") }) {
            XCTAssertEqual($0 as? StateBackendError, .readOnly(path: path))
        }
    }

    func testAnEmptyFileHoldsNoStateForReaders() throws {
        let path = temporaryDatabasePath()
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent,
            withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: path, contents: Data())
        XCTAssertNil(try SQLiteStateStore.openIfExists(path: path))
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), Data(), "the reader wrote nothing")
    }

    func testTheFirstWritingOpenClaimsTheFleetAndOthersAreRefused() throws {
        let path = temporaryDatabasePath()
        _ = try SQLiteStateStore(path: path)
        XCTAssertNil(try SQLiteStateStore(path: path).fleet(), "opening without a fleet claims nothing")
        _ = try SQLiteStateStore(path: path, access: .readOnly, fleet: "acme-fleet")
        XCTAssertNil(try SQLiteStateStore(path: path).fleet(), "a reader claims nothing")
        _ = try SQLiteStateStore(path: path, fleet: "acme-fleet")
        XCTAssertEqual(try SQLiteStateStore(path: path).fleet(), "acme-fleet")
        for access in [SQLiteStateStore.Access.readOnly, .readWrite(create: false)] {
            XCTAssertThrowsError(try SQLiteStateStore(path: path, access: access, fleet: "globex-fleet")) {
                XCTAssertEqual(
                    $0 as? StateBackendError,
                    .otherFleet(path: path, recorded: "acme-fleet", files: "globex-fleet"))
                XCTAssertTrue("\($0)".contains("'acme-fleet'") && "\($0)".contains("'globex-fleet'"), "\($0)")
            }
        }
    }

    /// Two runners started at once on a new file both open it: switching to WAL does not fail either one.
    func testTwoConnectionsOpeningANewFileAtOnceBothSucceed() throws {
        for _ in 0..<40 {
            let path = temporaryDatabasePath()
            let failures = LockedFailures()
            DispatchQueue.concurrentPerform(iterations: 4) { _ in
                do {
                    _ = try SQLiteStateStore(path: path)
                } catch {
                    failures.append("\(error)")
                }
            }
            XCTAssertEqual(failures.all, [])
        }
    }

    func testErrorNamesTheSQLButNotBoundValues() async throws {
        let store = try makeStore()
        let insert = "INSERT INTO locks (instance, holder, acquired_at, lease_until) VALUES (?, ?, ?, ?)"
        XCTAssertThrowsError(
            try store.serialized { database in
                try database.run(insert, "acme", "holder-hunter2", Instants.t0, Instants.t0)
                try database.run(insert, "acme", "holder-hunter2", Instants.t0, Instants.t0)
            }
        ) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains(insert), text)
            XCTAssertTrue(text.contains("UNIQUE constraint failed: locks.instance"), text)
            XCTAssertFalse(text.contains("hunter2"), text)
        }
    }

    func testUndecodableColumnIsAnErrorWithoutTheValue() async throws {
        let store = try makeStore()
        try await store.serialized { database in
            try database.run(
                "INSERT INTO instances (name, region, state, updated_at) VALUES ('acme', 'r', 'sekrit-state', 0)")
        }
        await XCTAssertThrowsErrorAsync({ try await store.recordedInstances() }) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("column state holds text, not a valid InstanceState"), text)
            XCTAssertFalse(text.contains("sekrit"), text)
        }
    }

    func testBindingChecksArgumentCount() async throws {
        let store = try makeStore()
        await XCTAssertThrowsErrorAsync({
            try await store.serialized { try $0.run("DELETE FROM locks WHERE instance = ?") }
        }) { error in
            XCTAssertTrue("\(error)".contains("expected 1 arguments, got 0"), "\(error)")
        }
    }

    func testFailedTransactionRollsBack() async throws {
        let store = try makeStore()
        struct Abort: Error {}
        await XCTAssertThrowsErrorAsync({
            try await store.writing { database in
                try database.run(
                    "INSERT INTO locks (instance, holder, acquired_at, lease_until) VALUES ('a', 'h', 0, 0)")
                throw Abort()
            }
        })
        let locks = try await store.locks()
        XCTAssertEqual(locks, [])
    }
}

/// Errors collected from several threads.
private final class LockedFailures: @unchecked Sendable {
    private let lock = NSLock()
    private var errors: [String] = []

    func append(_ error: String) {
        lock.withLock { errors.append(error) }
    }

    var all: [String] { lock.withLock { errors } }
}
