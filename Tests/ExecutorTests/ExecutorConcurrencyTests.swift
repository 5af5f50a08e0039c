import XCTest
import FleetModel
import Store
import TestSupport
@testable import Executor

final class ExecutorConcurrencyTests: XCTestCase {
    func testCancellationLetsTheRunningStepFinishAndStartsNoOther() async throws {
        let h = try ExecutorHarness()
        await h.provider.block(.init("acme", .create, .bucket))
        let apply = Task { await h.apply([Plans.provision("acme")]) }
        await h.provider.waitUntilBlocked()
        apply.cancel()
        await h.provider.release()
        let report = await apply.value

        XCTAssertEqual(report.instances.map(\.result), [.cancelled])
        let calls = await h.provider.calls
        XCTAssertEqual(calls.map(\.resource), [.network, .key, .bucket])
        let operation = try h.lastOperation("acme")
        XCTAssertEqual(operation.result, .cancelled)
        XCTAssertEqual(operation.steps.sorted { $0.index < $1.index }.map(\.status),
                       [.succeeded, .succeeded, .succeeded] + Array(repeating: .notStarted, count: 6))
        XCTAssertNotNil(try h.store.recordedInstance("acme")?.resources[.bucket], "the finished step is recorded")
        XCTAssertEqual(try h.store.locks(), [])
    }

    func testCancellationDuringRetryBackoffStopsRetrying() async throws {
        let h = try ExecutorHarness()
        h.sleep = { _ in
            withUnsafeCurrentTask { $0?.cancel() }  // as if Ctrl-C arrived while waiting
            try Task.checkCancellation()
        }
        await h.provider.fail(.init("acme", .create, .network), with: .throttled)

        let report = await h.apply([Plans.provision("acme", [.network, .key])])

        XCTAssertEqual(report.instances.map(\.result), [.cancelled])
        let steps = try h.lastOperation("acme").steps.sorted { $0.index < $1.index }
        XCTAssertEqual(steps.map(\.status), [.failed, .notStarted])
        XCTAssertEqual(steps[0].attempts, 1)
        XCTAssertTrue(steps[0].error?.contains("retries stopped") ?? false)
    }

    func testParallelismBoundsConcurrentCloudCalls() async throws {
        for limit in [1, 2] {
            let h = try ExecutorHarness()
            h.options.parallelism = limit
            await h.provider.setLatency(.milliseconds(2))
            let names = (1...6).map { "inst\($0)" }

            let report = await h.apply(names.map { Plans.provision($0, [.network, .key]) })

            XCTAssertTrue(report.succeeded)
            XCTAssertEqual(report.instances.map(\.name), names)
            let maxInFlight = await h.provider.maxInFlight
            XCTAssertEqual(maxInFlight, limit, "parallelism \(limit)")
        }
    }

    func testWavesRunOneAfterAnother() async throws {
        let h = try ExecutorHarness()
        await h.provider.setLatency(.milliseconds(1))
        await h.provider.fail(.init("b", .create, .network), with: .invalid)
        let plans = [Plans.provision("a", wave: 1, [.network, .key]), Plans.provision("b", wave: 0, [.network, .key]),
                     Plans.provision("c", wave: 0, [.network, .key]), Plans.provision("d", wave: 2, [.network])]

        let report = await h.apply(plans)

        XCTAssertEqual(report.instances.map(\.name), ["a", "b", "c", "d"], "report in plan order")
        XCTAssertEqual(report.instances.map(\.result), [.succeeded, .failed, .succeeded, .succeeded], "a failure does not stop later waves")
        let waveOfCall = await h.provider.calls.map { call in plans.first { $0.name == call.instance }!.wave }
        XCTAssertEqual(waveOfCall, waveOfCall.sorted(), "every call of wave k comes before any call of wave k+1")
    }
}
