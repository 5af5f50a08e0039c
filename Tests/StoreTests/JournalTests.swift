import Foundation
import XCTest
import StateBackend
import TestSupport
import FleetModel
@testable import Store

final class JournalTests: XCTestCase {
    /// Run id, commit and dirty flag round-trip; history filters by run and counts past the limit.
    func testRunsAreRecordedFilteredAndCounted() async throws {
        let store = try makeStore()
        let first = RunInfo(id: "r-1", commit: "0123456789abcdef0123456789abcdef01234567", dirty: true)
        let second = RunInfo(id: "r-2", commit: nil, dirty: false)
        for (instance, run) in [("acme", first), ("beta", first), ("acme", second)] {
            let id = try await store.beginOperation(
                instance: instance, kind: "apply", holder: "u@h pid 1", run: run, now: Instants.t0)
            try await store.finishOperation(id, result: .succeeded, error: nil, now: Instants.at(1))
        }
        _ = try await store.beginOperation(instance: "acme", kind: "apply", holder: "old", now: Instants.t0)

        let cases: [(filter: OperationFilter, ids: [Int64], count: Int)] = [
            (OperationFilter(), [4, 3, 2, 1], 4),
            (OperationFilter(run: "r-1"), [2, 1], 2),
            (OperationFilter(instance: "acme", run: "r-1"), [1], 1),
            (OperationFilter(run: "r-3"), [], 0),
            (OperationFilter(instance: "acme"), [4, 3, 1], 3),
        ]
        for (filter, ids, count) in cases {
            let found = try await store.operations(matching: filter, limit: 10)
            XCTAssertEqual(found.map(\.id), ids, "\(filter)")
            let counted = try await store.countOperations(matching: filter)
            XCTAssertEqual(counted, count, "\(filter)")
        }
        let all = try await store.operations(matching: OperationFilter(), limit: 10)
        XCTAssertEqual(all.map(\.run), [nil, second, first, first])
        let limited = try await store.operations(matching: OperationFilter(), limit: 1)
        XCTAssertEqual(limited.count, 1)
    }

    /// One instance's operations are found through its index, not by scanning the journal newest first (which made
    /// `status` on 10,000 instances with a year of history take minutes).
    func testOperationFiltersUseTheirIndexes() throws {
        let store = try makeStore()
        let cases: [(OperationFilter, String)] = [
            (OperationFilter(instance: "acme"), "operations_by_instance"),
            (OperationFilter(run: "r-1"), "operations_by_run"),
            (OperationFilter(instance: "acme", since: Date(timeIntervalSince1970: 0)), "operations_by_instance"),
        ]
        for (filter, index) in cases {
            let plan = try store.serialized { database in
                try database.query(
                    "EXPLAIN QUERY PLAN SELECT id FROM operations WHERE \(SQLiteStateStore.filterClause(filter)) "
                        + "ORDER BY id DESC LIMIT ?4", filter.instance, filter.since, filter.run, 1
                ) { row in try row.column(3, as: String.self) }
            }
            XCTAssertTrue(plan.contains { $0.contains(index) }, "\(filter): \(plan)")
        }
    }

    func testOperationAndStepLifecycle() async throws {
        try await forEachBackend { database in
            let store = try database.open()
            let started = Date()  // a fractional instant: dates must round-trip exactly
            let operation = try await store.beginOperation(
                instance: "acme", kind: "apply", holder: "run-a", now: started)
            let step = try await store.beginStep(
                operationId: operation, instance: "acme", index: 0,
                step: .sample(.create, .database, hash: "d1"), now: started)
            let lastOperation = try await store.lastOperation(instance: "acme")?.steps.map(\.status)
            XCTAssertEqual(lastOperation, [.running])

            try await store.finishStep(
                step, status: .succeeded, attempts: 2, cloudId: "db-1", note: "retried once", error: nil,
                now: Instants.at(5))
            try await store.recordNotStarted(
                operationId: operation, instance: "acme",
                steps: [(1, .sample(.create, .cluster)), (2, .sample(.deploy, .service))], now: Instants.at(6))
            try await store.finishOperation(
                operation, result: .cancelled, error: "cancelled by user", now: Instants.at(7))

            let recordedFound = try await store.lastOperation(instance: "acme")

            let recorded = try XCTUnwrap(recordedFound)
            XCTAssertEqual(
                recorded,
                OperationRecord(
                    id: operation, instance: "acme", kind: "apply", holder: "run-a", result: .cancelled,
                    error: "cancelled by user",
                    startedAt: started, finishedAt: Instants.at(7),
                    steps: [
                        StepRecord(
                            id: step, operationId: operation, instance: "acme", index: 0, action: .create,
                            resource: .database,
                            reason: "teardown", inputsHash: "d1", status: .succeeded, attempts: 2, cloudId: "db-1",
                            note: "retried once", startedAt: started, finishedAt: Instants.at(5)),
                        StepRecord(
                            id: step + 1, operationId: operation, instance: "acme", index: 1, action: .create,
                            resource: .cluster,
                            reason: "teardown", inputsHash: "h", status: .notStarted, finishedAt: Instants.at(6)),
                        StepRecord(
                            id: step + 2, operationId: operation, instance: "acme", index: 2, action: .deploy,
                            resource: .service,
                            reason: "teardown", inputsHash: "h", status: .notStarted, finishedAt: Instants.at(6)),
                    ]))
        }
    }

    func testUnknownIdsAreErrors() async throws {
        try await forEachBackend { database in
            let store = try database.open()
            await XCTAssertThrowsErrorAsync({
                try await store.finishOperation(42, result: .failed, error: nil, now: Instants.t0)
            }) {
                XCTAssertEqual($0 as? StateBackendError, .unknownOperation(42))
            }
            await XCTAssertThrowsErrorAsync({
                try await store.finishStep(
                    7, status: .failed, attempts: 1, cloudId: nil, note: nil, error: nil, now: Instants.t0)
            }) {
                XCTAssertEqual($0 as? StateBackendError, .unknownStep(7))
            }
            await XCTAssertThrowsErrorAsync({
                try await store.beginStep(
                    operationId: 42, instance: "acme", index: 0, step: .sample(), now: Instants.t0)
            }) {
                XCTAssertEqual($0 as? StateBackendError, .unknownOperation(42))
            }
        }
    }

    func testMarkInterruptedTouchesOnlyRunningRowsOfThatInstance() async throws {
        try await forEachBackend { database in
            let store = try database.open()
            let dead = try await store.beginOperation(instance: "acme", kind: "apply", holder: "dead", now: Instants.t0)
            let done = try await store.beginStep(
                operationId: dead, instance: "acme", index: 0, step: .sample(.create, .network), now: Instants.t0)
            try await store.finishStep(
                done, status: .succeeded, attempts: 1, cloudId: "vpc-1", note: nil, error: nil, now: Instants.at(1))
            _ = try await store.beginStep(
                operationId: dead, instance: "acme", index: 1, step: .sample(.create, .key), now: Instants.at(1))
            let other = try await store.beginOperation(
                instance: "other", kind: "apply", holder: "live", now: Instants.t0)
            _ = try await store.beginStep(
                operationId: other, instance: "other", index: 0, step: .sample(), now: Instants.t0)

            let markInterrupted = try await store.markInterrupted(instance: "acme", now: Instants.at(100))
            XCTAssertEqual(markInterrupted, 2)
            let markInterrupted2 = try await store.markInterrupted(instance: "acme", now: Instants.at(101))
            XCTAssertEqual(markInterrupted2, 0)

            let acmeFound = try await store.lastOperation(instance: "acme")

            let acme = try XCTUnwrap(acmeFound)
            XCTAssertEqual(acme.result, .interrupted)
            XCTAssertEqual(acme.finishedAt, Instants.at(100))
            XCTAssertEqual(acme.steps.map(\.status), [.succeeded, .interrupted])
            XCTAssertEqual(acme.steps.map(\.finishedAt), [Instants.at(1), Instants.at(100)])
            let lastOperation = try await store.lastOperation(instance: "other")?.steps.map(\.status)
            XCTAssertEqual(lastOperation, [.running])
        }
    }

    func testHistoryIsNewestFirstAndLimited() async throws {
        try await forEachBackend { database in
            let store = try database.open()
            for (offset, instance) in ["acme", "beta", "acme", "acme"].enumerated() {
                let operation = try await store.beginOperation(
                    instance: instance, kind: "apply", holder: "run-\(offset)", now: Instants.at(Double(offset)))
                // Steps journaled out of index order still come back ordered by index.
                for index in [1, 0] {
                    _ = try await store.beginStep(
                        operationId: operation, instance: instance, index: index, step: .sample(),
                        now: Instants.at(Double(offset)))
                }
                try await store.finishOperation(
                    operation, result: .succeeded, error: nil, now: Instants.at(Double(offset) + 0.5))
            }
            let cases: [(instance: String?, limit: Int, holders: [String])] = [
                (nil, 10, ["run-3", "run-2", "run-1", "run-0"]),
                (nil, 2, ["run-3", "run-2"]),
                ("acme", 10, ["run-3", "run-2", "run-0"]),
                ("acme", 1, ["run-3"]),
                ("beta", 10, ["run-1"]),
                ("nobody", 10, []),
            ]
            for (instance, limit, holders) in cases {
                let operations = try await store.operations(instance: instance, limit: limit)
                XCTAssertEqual(operations.map(\.holder), holders, "instance \(instance ?? "nil") limit \(limit)")
                XCTAssertTrue(operations.allSatisfy { $0.steps.map(\.index) == [0, 1] })
            }
            let lastOperation = try await store.lastOperation(instance: "nobody")
            XCTAssertNil(lastOperation)
            let operations = try await store.operations(instance: nil, since: Instants.at(1), limit: 10).map(\.holder)
            XCTAssertEqual(operations, ["run-3", "run-2", "run-1"])
            let operations2 = try await store.operations(instance: "acme", since: Instants.at(1), limit: 10).map(
                \.holder)
            XCTAssertEqual(operations2, ["run-3", "run-2"])

            let steps = try await store.recentSteps(instance: "acme", limit: 3)
            XCTAssertEqual(steps.map(\.id), steps.map(\.id).sorted(by: >))
            XCTAssertEqual(steps.map(\.startedAt), [Instants.at(3), Instants.at(3), Instants.at(2)])
            let recentSteps = try await store.recentSteps(instance: "acme", limit: 100).count
            XCTAssertEqual(recentSteps, 6)
        }
    }
}
