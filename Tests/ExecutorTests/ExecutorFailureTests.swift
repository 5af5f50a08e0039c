import XCTest
import FleetModel
import ProviderAPI
import Store
import TestSupport
@testable import Executor

final class ExecutorFailureTests: XCTestCase {
    func testThrottlingIsRetriedWithGrowingCappedDelaysThenSucceeds() async throws {
        let h = try ExecutorHarness()
        h.options.maxDelay = .milliseconds(500)
        await h.provider.fail(.init("acme", .create, .database), with: .throttled, times: 3)

        let report = await h.apply([Plans.provision("acme", [.network, .database])])

        XCTAssertTrue(report.succeeded, "\(report)")
        XCTAssertEqual(h.sleeps.current, [.milliseconds(200), .milliseconds(400), .milliseconds(500)])
        XCTAssertEqual(h.observer.retryDelays.current, h.sleeps.current)
        XCTAssertTrue(h.observer.events.current.contains("retry acme database after attempt 1: Throttling"))
        let steps = try await h.lastOperation("acme").steps.sorted { $0.index < $1.index }
        XCTAssertEqual(steps.map(\.attempts), [1, 4])
        XCTAssertEqual(steps.map(\.status), [.succeeded, .succeeded])
    }

    func testNonRetryableFailureStopsOnlyThatInstance() async throws {
        let h = try ExecutorHarness()
        await h.provider.fail(.init("acme", .create, .database), with: .invalid)

        let report = await h.apply([Plans.provision("acme"), Plans.provision("beta")])

        XCTAssertFalse(report.succeeded)
        XCTAssertEqual(report.instances.map(\.result), [.failed, .succeeded])
        let error = try XCTUnwrap(report.instances[0].error)
        XCTAssertTrue(error.contains("create database") && error.contains("InvalidParameterValue: bad class"), error)
        XCTAssertTrue(h.sleeps.current.isEmpty, "no retry for a validation error")

        let operation = try await h.lastOperation("acme")
        XCTAssertEqual(operation.result, .failed)
        let steps = operation.steps.sorted { $0.index < $1.index }
        XCTAssertEqual(
            steps.map(\.status),
            Array(repeating: .succeeded, count: 6) + [.failed] + Array(repeating: .notStarted, count: 6))
        XCTAssertEqual(steps[6].error, String(describing: CloudError.invalid))
        XCTAssertEqual(steps[6].attempts, 1)
        let acmeCalls = await h.provider.calls.filter { $0.instance == "acme" }
        XCTAssertEqual(
            acmeCalls.last, FakeCloudProvider.Call("acme", .create, .database), "nothing runs after the failed step")

        let recordedFound = try await h.store.recordedInstance("acme")

        let recorded = try XCTUnwrap(recordedFound)
        XCTAssertEqual(
            Set(recorded.resources.keys), [.network, .securityRules, .key, .bucket, .secret, .logGroup],
            "succeeded steps stay recorded")
        let recordedInstance = try await h.store.recordedInstance("beta")?.resources.count
        XCTAssertEqual(recordedInstance, 13)
        let locks = try await h.store.locks()
        XCTAssertEqual(locks, [])
    }

    func testExhaustedRetriesFailTheStep() async throws {
        let h = try ExecutorHarness()
        h.options.maxRetries = 2
        await h.provider.fail(.init("acme", .create, .network), with: .throttled)

        let report = await h.apply([Plans.provision("acme", [.network, .key])])

        XCTAssertEqual(report.instances.map(\.result), [.failed])
        XCTAssertEqual(h.sleeps.current.count, 2)
        let steps = try await h.lastOperation("acme").steps.sorted { $0.index < $1.index }
        XCTAssertEqual(steps.map(\.status), [.failed, .notStarted])
        XCTAssertEqual(steps[0].attempts, 3)
        let recordedInstance = try await h.store.recordedInstance("acme")
        XCTAssertNil(recordedInstance, "nothing succeeded, nothing recorded")
    }

    /// A host whose clock runs a day (or a year) ahead must not see a live lease as expired: leases are measured by
    /// the state database's clock, never the caller's.
    func testACallerWithASkewedClockCannotTakeOverALiveLock() async throws {
        for skew: TimeInterval in [3600, 86_400, -86_400, 86_400 * 365] {
            let h = try ExecutorHarness()
            try await h.store.acquireLock(instance: "acme", holder: "alice@laptop", lease: 300)
            h.now.mutate { $0 = Date().addingTimeInterval(skew) }

            let report = await h.apply([Plans.provision("acme", [.network])])

            XCTAssertEqual(report.instances.map(\.result), [.failed], "skew \(skew)")
            let calls = await h.provider.calls
            XCTAssertEqual(calls, [], "skew \(skew): no cloud call under someone else's lock")
            let holders = try await h.store.locks().map(\.holder)
            XCTAssertEqual(holders, ["alice@laptop"], "skew \(skew): the live lock is kept")
        }
    }

    func testALockHeldByAnotherHolderFailsThatInstanceOnly() async throws {
        let h = try ExecutorHarness()
        try await h.store.acquireLock(instance: "beta", holder: "alice@laptop", lease: 300)
        // A live apply's running step must not be taken for a crash leftover.
        let theirs = try await h.store.beginOperation(
            instance: "beta", kind: "apply", holder: "alice@laptop", now: fridayMorning)
        _ = try await h.store.beginStep(
            operationId: theirs, instance: "beta", index: 0, step: Plans.step(.create, .network), now: fridayMorning)

        let report = await h.apply([Plans.provision("acme", [.network]), Plans.provision("beta", [.network])])

        XCTAssertEqual(report.instances.map(\.result), [.succeeded, .failed])
        let error = try XCTUnwrap(report.instances[1].error)
        XCTAssertTrue(error.contains("alice@laptop") && error.contains("cloudctl unlock beta"), error)
        let calls = await h.provider.calls
        XCTAssertEqual(calls, [FakeCloudProvider.Call("acme", .create, .network)])
        let locks = try await h.store.locks().map(\.holder)
        XCTAssertEqual(locks, ["alice@laptop"], "someone else's lock is left alone")
        let betaStatuses = try await h.stepStatuses("beta")
        XCTAssertEqual(betaStatuses, [.running])
    }

    func testRerunAfterACrashMarksLeftoversInterruptedAndRepeatsTheStep() async throws {
        let h = try ExecutorHarness()
        let crashTime = fridayMorning.addingTimeInterval(-3600)
        // Its lease ran out long ago (leases run on the database's clock, so the lease itself is set in the past).
        try await h.store.acquireLock(instance: "acme", holder: "crashed", lease: -3300)
        let crashed = try await h.store.beginOperation(
            instance: "acme", kind: "apply", holder: "crashed", now: crashTime)
        _ = try await h.store.beginStep(
            operationId: crashed, instance: "acme", index: 0, step: Plans.step(.create, .network), now: crashTime)

        let report = await h.apply([Plans.provision("acme", [.network, .key])])

        XCTAssertTrue(report.succeeded, "\(report)")
        let operations = try await h.store.operations(instance: "acme", limit: 10)
        XCTAssertEqual(operations.map(\.result), [.succeeded, .interrupted])
        XCTAssertEqual(operations.last?.steps.map(\.status), [.interrupted])
        XCTAssertEqual(operations.first?.steps.map(\.status), [.succeeded, .succeeded])
        let calls = await h.provider.calls
        XCTAssertEqual(
            calls.first, FakeCloudProvider.Call("acme", .create, .network), "the interrupted step runs again")
    }
}
