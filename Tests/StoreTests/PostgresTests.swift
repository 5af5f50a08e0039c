import Foundation
import XCTest
import TestSupport
import StateBackend
import FleetModel
@testable import PostgresStore
@testable import Store

/// What only the PostgreSQL backend has: URLs with passwords, a server to reach, copying state into it.
final class PostgresTests: XCTestCase {
    func testURLsAreRecognisedAndShownWithoutTheirPassword() {
        let cases: [(url: String, shown: String?)] = [
            ("postgres://ci:s3cret@db.internal:5432/fleet", "postgres://ci:***@db.internal:5432/fleet"),
            (
                "postgresql://ci:p%40ss@127.0.0.1/fleet?sslmode=require",
                "postgresql://ci:***@127.0.0.1/fleet?sslmode=require"
            ),
            ("POSTGRES://ci@127.0.0.1/fleet", "POSTGRES://ci@127.0.0.1/fleet"),
            ("postgres://127.0.0.1/fleet?user=ci&password=s3cret", "postgres://127.0.0.1/fleet?user=ci&password=***"),
            ("postgres://a:b:c@h1,h2/db", "postgres://a:***@h1,h2/db"),
            ("postgres:///fleet", "postgres:///fleet"),
            (".cloudctl/state.db", nil),
            ("/srv/postgres://odd.db", nil),
            ("mysql://ci:s3cret@127.0.0.1/fleet", nil),
        ]
        for (url, shown) in cases {
            XCTAssertEqual(PostgresLocation(url)?.redacted, shown, url)
        }
        let location = PostgresLocation("postgres://ci:p%40ss@127.0.0.1/fleet")!
        XCTAssertEqual(location.scrub("password p%40ss or p@ss refused"), "password *** or *** refused")
    }

    private func postgresURL() throws -> String? {
        guard let url = Self.testPostgresURL else {
            if ProcessInfo.processInfo.environment["CI"] == "true" {
                XCTFail("CLOUDCTL_TEST_PG_URL is not set: the PostgreSQL backend was not tested (run scripts/test)")
            }
            return nil
        }
        return url
    }

    func testAWrongPasswordIsAClearErrorWithoutThePassword() throws {
        guard let url = try postgresURL() else { return }
        let wrong = "Wr0ng\(UUID().uuidString.prefix(8))"
        let real = try XCTUnwrap(URLComponents(string: url)?.password)
        let bad = url.replacingOccurrences(of: ":\(real)@", with: ":\(wrong)@")
        XCTAssertThrowsError(try PostgresStateStore(PostgresLocation(bad)!)) { error in
            guard case .unreachable(let database, let message)? = error as? StateBackendError else {
                return XCTFail("\(error)")
            }
            XCTAssertTrue(database.contains(":***@"), database)
            XCTAssertTrue(message.contains("password authentication failed"), message)
            let shown = (error as? StateBackendError)?.diagnostic.description ?? ""
            for secret in [wrong, real] {
                XCTAssertFalse(shown.contains(secret), shown)
                XCTAssertFalse("\(error)".contains(secret))
            }
        }
    }

    func testMigrationsAreRecordedByIdAndReadersCreateNothing() async throws {
        guard let url = try postgresURL() else { return }
        let target = try temporaryPostgresSchema(url)
        let location = try XCTUnwrap(PostgresLocation(target))
        XCTAssertThrowsError(try PostgresStateStore(location, access: .readOnly)) {
            XCTAssertEqual($0 as? StateBackendError, .missing(path: location.redacted))
        }
        XCTAssertNil(try PostgresStateStore.openIfExists(location))
        XCTAssertThrowsError(try PostgresStateStore(location, access: .readWrite(create: false)))
        let connection = try Connection(location)
        let tables = try connection.query("SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()") {
            try $0.column(0, as: Int.self)
        }
        XCTAssertEqual(tables, [0], "a reader or a non-creating writer made tables")

        _ = try PostgresStateStore(location, fleet: "demo")
        _ = try PostgresStateStore(location, fleet: "demo")  // a second open applies nothing again
        XCTAssertEqual(try PostgresMigrations.applied(in: connection), PostgresMigrations.all.map(\.id))
        let reader = try PostgresStateStore(location, access: .readOnly, fleet: "demo")
        await XCTAssertThrowsErrorAsync({
            try await reader.saveRecorded(RecordedInstance(name: "acme", region: "us-east-1"))
        }) {
            XCTAssertEqual($0 as? StateBackendError, .readOnly(path: location.redacted))
        }
        XCTAssertThrowsError(try PostgresStateStore(location, fleet: "other")) {
            XCTAssertEqual(
                $0 as? StateBackendError, .otherFleet(path: location.redacted, recorded: "demo", files: "other"))
        }
        try connection.execute("INSERT INTO schema_migrations (id) VALUES ('999-future')")
        XCTAssertThrowsError(try PostgresStateStore(location)) {
            XCTAssertEqual($0 as? StateBackendError, .newerSchema(migration: "999-future", path: location.redacted))
        }
    }

    /// Two first applies on an empty database: the advisory lock lets one migrate, the other finds it done.
    func testConcurrentFirstOpensMigrateOnce() async throws {
        guard let url = try postgresURL() else { return }
        let location = try XCTUnwrap(PostgresLocation(try temporaryPostgresSchema(url)))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<4 {
                group.addTask { _ = try PostgresStateStore(location, fleet: "demo") }
            }
            try await group.waitForAll()
        }
        XCTAssertEqual(try PostgresMigrations.applied(in: Connection(location)), PostgresMigrations.all.map(\.id))
    }

    /// A server restart (here: the connection killed from outside) costs one reconnect, not the rest of the apply.
    func testADroppedConnectionIsReopened() async throws {
        guard let url = try postgresURL() else { return }
        let location = try XCTUnwrap(PostgresLocation(try temporaryPostgresSchema(url)))
        let store = try PostgresStateStore(location)
        try await store.saveRecorded(RecordedInstance(name: "acme", region: "us-east-1"))
        let admin = try Connection(location)
        let killed = try admin.query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'cloudctl' "
                + "AND pid <> pg_backend_pid() AND datname = current_database()"
        ) { try $0.column(0, as: Bool.self) }
        XCTAssertFalse(killed.isEmpty)
        // The first call after the kill may fail (libpq learns of it then); the next reconnects.
        _ = try? await store.recordedInstances()
        let recorded = try await store.recordedInstances().map(\.name)
        XCTAssertEqual(recorded, ["acme"])
    }

    func testCopyFromSQLiteKeepsStateHistoryAndIdsAndRefusesANonEmptyTarget() async throws {
        guard let url = try postgresURL() else { return }
        let source = try SQLiteStateStore(path: temporaryDatabasePath(), fleet: "demo")
        for name in ["acme", "globex"] {
            try await source.acquireLock(instance: name, holder: "run", lease: 60)
            let operation = try await source.beginOperation(
                instance: name, kind: "apply", holder: "run", now: Instants.t0)
            let step = try await source.beginStep(
                operationId: operation, instance: name, index: 0, step: .sample(), now: Instants.at(1))
            try await source.finishStep(
                step, status: .succeeded, attempts: 2, cloudId: "vpc-\(name)", note: "n", error: nil,
                now: Instants.at(2.125))
            try await source.recordNotStarted(
                operationId: operation, instance: name, steps: [(index: 1, step: .sample(.create, .key))],
                now: Instants.at(3))
            try await source.saveRecorded(
                RecordedInstance(
                    name: name, region: "us-east-1", runningVersion: Version(5, 2, 3),
                    resources: [.network: RecordedResource(cloudId: "vpc-\(name)", inputsHash: "h")]))
            try await source.finishOperation(operation, result: .failed, error: "boom", now: Instants.at(4))
            try await source.releaseLock(instance: name, holder: "run")
        }
        for decision in StateSnapshotTests.decisions { try await source.recordRolloutDecision(decision) }
        for mark in StateSnapshotTests.waveMarks { try await source.recordWave(mark) }
        let location = try XCTUnwrap(PostgresLocation(try temporaryPostgresSchema(url)))
        let target = try PostgresStateStore(location)
        let history = try await source.operations(instance: nil, since: nil, limit: 100)
        try await target.importState(try await source.snapshot())

        let copiedHistory = try await target.operations(instance: nil, since: nil, limit: 100)
        XCTAssertEqual(copiedHistory, history)
        let copiedState = try await target.recordedInstances()
        let sourceState = try await source.recordedInstances()
        XCTAssertEqual(copiedState, sourceState)
        let fleet = try await target.fleet()
        XCTAssertEqual(fleet, "demo")
        // New rows continue after the copied ids.
        let next = try await target.beginOperation(instance: "acme", kind: "apply", holder: "r", now: Instants.t0)
        XCTAssertEqual(next, (history.map(\.id).max() ?? 0) + 1)
        // Rollout decisions keep their ids, and the next one continues after them.
        let decisions = try await source.rolloutDecisions(version: nil, since: nil, limit: 100)
        let copiedDecisions = try await target.rolloutDecisions(version: nil, since: nil, limit: 100)
        XCTAssertEqual(copiedDecisions, decisions)
        XCTAssertEqual(decisions.count, StateSnapshotTests.decisions.count)
        try await target.recordRolloutDecision(StateSnapshotTests.decisions[0])
        let newest = try await target.rolloutDecisions(version: nil, since: nil, limit: 1)
        XCTAssertEqual(newest.map(\.id), [(decisions.map(\.id).max() ?? 0) + 1])
        for wave in [0, 1] {
            let marks = try await target.waveRecords(run: "run-1", wave: wave)
            XCTAssertEqual(marks, StateSnapshotTests.waveMarks.filter { $0.run == "run-1" && $0.wave == wave })
        }
        let otherRun = try await target.waveRecords(run: "run-2", wave: 0)
        XCTAssertEqual(otherRun.count, 1)

        await XCTAssertThrowsErrorAsync({
            try await target.importState(StateSnapshot(fleet: "demo"))
        }) {
            // The three decisions copied and the one recorded since.
            XCTAssertEqual(
                ($0 as? PostgresStateStore.NotEmpty)?.contents,
                "2 recorded instances, 3 operations, 0 locks, 4 rollout decisions, 4 wave barrier marks")
        }
    }
}

/// `cloudctl state check` on both backends.
final class ConsistencyTests: XCTestCase {
    func testConsistentUntilARunDiesOrAResourceAppearsWithoutAnOperation() async throws {
        try await forEachBackend { database in
            let store = try database.open()
            let checking = try XCTUnwrap(store as? any ConsistencyChecking)
            let empty = try await checking.consistencyProblems()
            XCTAssertEqual(empty, [])

            try await store.acquireLock(instance: "acme", holder: "run", lease: 60)
            let operation = try await store.beginOperation(
                instance: "acme", kind: "apply", holder: "run", now: Instants.t0)
            _ = try await store.beginStep(
                operationId: operation, instance: "acme", index: 0, step: .sample(), now: Instants.t0)
            try await store.saveRecorded(
                RecordedInstance(
                    name: "acme", region: "us-east-1",
                    resources: [.network: RecordedResource(cloudId: "vpc-1", inputsHash: "h")]))
            let whileLive = try await checking.consistencyProblems()
            XCTAssertEqual(whileLive, [], "a running step under a live lock is fine")

            try database.expire("acme")
            try await store.saveRecorded(
                RecordedInstance(
                    name: "zeta", region: "us-east-1",
                    resources: [.key: RecordedResource(cloudId: "key-1", inputsHash: "h")]))
            let problems = try await checking.consistencyProblems()
            XCTAssertEqual(
                problems,
                [
                    ConsistencyProblem(kind: .runningWithoutLock, instance: "acme", detail: "step 1 (id 1)"),
                    ConsistencyProblem(kind: .resourceWithoutOperation, instance: "zeta", detail: "key"),
                ])
        }
    }
}
