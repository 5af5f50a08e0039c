import Foundation
import XCTest
import TestSupport
import StateBackend
import FleetModel

/// PostgreSQL's fencing tokens: a runner whose lease ran out and was taken over writes nothing more.
final class FencingTests: XCTestCase {
    private func postgresDatabases() throws -> [TestDatabase] {
        try testDatabases().filter { $0.kind == .postgres }
    }

    func testATakenOverRunnerWritesNothingMore() async throws {
        for database in try postgresDatabases() {
            let stale = try database.open()
            let successor = try database.open()
            try await stale.acquireLock(instance: "acme", holder: "run-a", lease: 60)
            let operation = try await stale.beginOperation(
                instance: "acme", kind: "apply", holder: "run-a", now: Instants.t0)
            let step = try await stale.beginStep(
                operationId: operation, instance: "acme", index: 0, step: .sample(), now: Instants.t0)
            try database.expire("acme")
            try await successor.acquireLock(instance: "acme", holder: "run-b", lease: 60)
            let marked = try await successor.markInterrupted(instance: "acme", now: Instants.at(1))
            XCTAssertEqual(marked, 2)

            let writes: [(String, () async throws -> Void)] = [
                (
                    "finishStep",
                    {
                        try await stale.finishStep(
                            step, status: .succeeded, attempts: 1, cloudId: "vpc-1", note: nil, error: nil,
                            now: Instants.at(2))
                    }
                ),
                ("saveRecorded", { try await stale.saveRecorded(RecordedInstance(name: "acme", region: "us-east-1")) }),
                (
                    "beginStep",
                    {
                        _ = try await stale.beginStep(
                            operationId: operation, instance: "acme", index: 1, step: .sample(), now: Instants.at(2))
                    }
                ),
                (
                    "recordNotStarted",
                    {
                        try await stale.recordNotStarted(
                            operationId: operation, instance: "acme", steps: [(index: 1, step: .sample())],
                            now: Instants.at(2))
                    }
                ),
                (
                    "finishOperation",
                    {
                        try await stale.finishOperation(operation, result: .succeeded, error: nil, now: Instants.at(2))
                    }
                ),
                ("markInterrupted", { _ = try await stale.markInterrupted(instance: "acme", now: Instants.at(2)) }),
                (
                    "beginOperation",
                    {
                        _ = try await stale.beginOperation(
                            instance: "acme", kind: "apply", holder: "run-a", now: Instants.at(2))
                    }
                ),
            ]
            for (name, write) in writes {
                await XCTAssertThrowsErrorAsync({ try await write() }, name) {
                    XCTAssertEqual(($0 as? LockHeldError)?.lock.holder, "run-b", name)
                }
            }
            let recorded = try await successor.recordedInstance("acme")
            XCTAssertNil(recorded, "the stale runner's state write went through")
            let history = try await successor.operations(instance: "acme", limit: 10)
            XCTAssertEqual(history.map(\.result), [.interrupted])
            XCTAssertEqual(history.first?.steps.map(\.status), [.interrupted])
            // The successor, holding the current token, writes as usual.
            try await successor.saveRecorded(RecordedInstance(name: "acme", region: "us-east-1"))
        }
    }

    func testAForceUnlockedRunnerWritesNothingMoreAndReacquiringKeepsTheToken() async throws {
        for database in try postgresDatabases() {
            let runner = try database.open()
            let operator_ = try database.open()
            try await runner.acquireLock(instance: "acme", holder: "run-a", lease: 60)
            try await runner.acquireLock(instance: "acme", holder: "run-a", lease: 60)  // extends, same token
            try await runner.saveRecorded(RecordedInstance(name: "acme", region: "us-east-1"))
            try await operator_.forceUnlock(instance: "acme")
            await XCTAssertThrowsErrorAsync({
                try await runner.saveRecorded(RecordedInstance(name: "acme", region: "eu-west-1"))
            }) {
                XCTAssertEqual($0 as? StateBackendError, .lockNotHeld(instance: "acme", holder: "run-a"))
            }
            let recorded = try await operator_.recordedInstance("acme")?.region
            XCTAssertEqual(recorded, "us-east-1")
        }
    }
}
