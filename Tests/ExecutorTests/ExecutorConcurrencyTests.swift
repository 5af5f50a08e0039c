import XCTest
import FleetModel
import ProviderAPI
import Store
import TestSupport
@testable import Executor

final class ExecutorConcurrencyTests: XCTestCase {
    func testCancellationKeepsTheResultOfACallThatFinishesAndStartsNoOtherStep() async throws {
        let h = try ExecutorHarness()
        await h.provider.block(.init("acme", .create, .bucket))
        let apply = Task { await h.apply([Plans.provision("acme")]) }
        await h.provider.waitUntilBlocked()
        apply.cancel()
        await h.provider.release()
        let report = await apply.value

        XCTAssertEqual(report.instances.map(\.result), [.cancelled])
        let calls = await h.provider.calls
        XCTAssertEqual(calls.map(\.resource), [.network, .securityRules, .key, .bucket])
        let operation = try await h.lastOperation("acme")
        XCTAssertEqual(operation.result, .cancelled)
        XCTAssertEqual(
            operation.steps.sorted { $0.index < $1.index }.map(\.status),
            [.succeeded, .succeeded, .succeeded, .succeeded] + Array(repeating: .notStarted, count: 9))
        let recordedInstance = try await h.store.recordedInstance("acme")?.resources[.bucket]
        XCTAssertNotNil(recordedInstance, "the finished step is recorded")
        let locks = try await h.store.locks()
        XCTAssertEqual(locks, [])
    }

    /// Ctrl-C during a step that does not end (an RDS create waiting many minutes): the step is journaled
    /// `interrupted`, the lock released and the apply ends; a re-run repeats the step and converges.
    func testCancellationInterruptsAStepThatDoesNotFinishAndARerunConverges() async throws {
        let h = try ExecutorHarness()
        h.options.interruptGrace = .milliseconds(20)
        let resources: [ResourceKind] = [.network, .key, .database]
        await h.provider.block(.init("acme", .create, .database))
        let apply = Task { await h.apply([Plans.provision("acme", resources)]) }
        await h.provider.waitUntilBlocked()
        apply.cancel()
        let report = await apply.value

        XCTAssertEqual(report.instances.map(\.result), [.interrupted])
        let error = try XCTUnwrap(report.instances.first?.error)
        XCTAssertTrue(error.hasPrefix("step 3 (create database) interrupted by Ctrl-C"), error)
        let operation = try await h.lastOperation("acme")
        XCTAssertEqual(operation.result, .interrupted)
        let steps = operation.steps.sorted { $0.index < $1.index }
        XCTAssertEqual(steps.map(\.status), [.succeeded, .succeeded, .interrupted])
        XCTAssertTrue(steps[2].error?.contains("run `cloudctl apply` again") ?? false, "\(steps[2])")
        XCTAssertTrue(h.observer.events.current.contains("step acme 3 interrupted"))
        let locks = try await h.store.locks()
        XCTAssertEqual(locks, [], "the lock is released, so the re-run needs no unlock")
        await h.provider.release()
        // The left call resumes on its own; bounded, so a cancellation that never reached it fails rather than hangs.
        var cancelledCalls: [FakeCloudProvider.Call] = []
        for _ in 0..<10_000 where cancelledCalls.isEmpty {
            await Task.yield()
            cancelledCalls = await h.provider.cancelledCalls
        }
        XCTAssertEqual(cancelledCalls, [.init("acme", .create, .database)], "Ctrl-C reaches the running cloud call")

        let rerun = await h.apply([Plans.provision("acme", [.database])])

        XCTAssertTrue(rerun.succeeded, "\(rerun)")
        let calls = await h.provider.calls
        XCTAssertEqual(
            calls.map(\.resource), [.network, .key, .database, .database], "the interrupted step runs again")
        let rerunSteps = try await h.stepStatuses("acme")
        XCTAssertEqual(rerunSteps, [.succeeded])
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
        let steps = try await h.lastOperation("acme").steps.sorted { $0.index < $1.index }
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

    /// b fails in wave 0; a (wave 1) and d (wave 2) come after it.
    private func applyWavesWithAFailureInTheFirst(continueAfterFailedWave: Bool) async throws -> (
        ExecutorHarness, ApplyReport, [Int]
    ) {
        let h = try ExecutorHarness()
        h.options.continueAfterFailedWave = continueAfterFailedWave
        await h.provider.setLatency(.milliseconds(1))
        await h.provider.fail(.init("b", .create, .network), with: .invalid)
        let plans = [
            Plans.provision("a", wave: 1, [.network, .key]), Plans.provision("b", wave: 0, [.network, .key]),
            Plans.provision("c", wave: 0, [.network, .key]), Plans.provision("d", wave: 2, [.network]),
        ]
        let report = await h.apply(plans)
        let waveOfCall = await h.provider.calls.map { call in plans.first { $0.name == call.instance }!.wave }
        return (h, report, waveOfCall)
    }

    func testAWaveWithFailuresStopsTheRollout() async throws {
        let (h, report, waveOfCall) = try await applyWavesWithAFailureInTheFirst(continueAfterFailedWave: false)

        XCTAssertEqual(report.instances.map(\.name), ["a", "b", "c", "d"], "report in plan order")
        XCTAssertEqual(report.instances.map(\.result), [.cancelled, .failed, .succeeded, .cancelled])
        XCTAssertFalse(report.succeeded)
        for skipped in [report.instances[0], report.instances[3]] {
            XCTAssertEqual(
                skipped.error,
                "not started: wave 0 of the plan had failures; fix them and apply again, "
                    + "or pass --continue-after-failed-wave")
            let lastOperation = try await h.store.lastOperation(instance: skipped.name)
            XCTAssertNil(lastOperation, "nothing journaled for \(skipped.name)")
        }
        XCTAssertEqual(waveOfCall, [0, 0, 0], "only wave 0 reached the cloud")
        XCTAssertTrue(
            h.observer.events.current.contains("finished a cancelled"), "skipped instances are still reported")
        XCTAssertFalse(h.observer.events.current.contains("started a 2"))
        let locks = try await h.store.locks()
        XCTAssertEqual(locks, [])
    }

    func testContinuingAfterAFailedWaveRunsLaterWavesInOrder() async throws {
        let (_, report, waveOfCall) = try await applyWavesWithAFailureInTheFirst(continueAfterFailedWave: true)

        XCTAssertEqual(report.instances.map(\.result), [.succeeded, .failed, .succeeded, .succeeded])
        XCTAssertEqual(waveOfCall.count, 6)
        XCTAssertEqual(waveOfCall, waveOfCall.sorted(), "every call of wave k comes before any call of wave k+1")
    }

    func testInstancesNotStartedBeforeCancellationLeaveNoTrace() async throws {
        let h = try ExecutorHarness()
        h.options.parallelism = 1
        await h.provider.block(.init("acme", .create, .network))
        let apply = Task {
            await h.apply([
                Plans.provision("acme", [.network, .key]), Plans.provision("beta", [.network]),
                Plans.provision("later", wave: 1, [.network]),
            ])
        }
        await h.provider.waitUntilBlocked()
        apply.cancel()
        await h.provider.release()
        let report = await apply.value

        XCTAssertEqual(report.instances.map(\.result), [.cancelled, .cancelled, .cancelled])
        XCTAssertEqual(
            report.instances.map(\.error).dropFirst(),
            [InstanceRun.cancelledBeforeStart, InstanceRun.cancelledBeforeStart])
        let acmeStatuses = try await h.stepStatuses("acme")
        XCTAssertEqual(acmeStatuses, [.succeeded, .notStarted], "the started instance is journaled")
        for name in ["beta", "later"] {
            let lastOperation = try await h.store.lastOperation(instance: name)
            XCTAssertNil(lastOperation, "no operation for \(name), which never started")
            XCTAssertTrue(h.observer.events.current.contains("finished \(name) cancelled"))
        }
        let calls = await h.provider.calls
        XCTAssertEqual(calls, [FakeCloudProvider.Call("acme", .create, .network)])
        let locks = try await h.store.locks()
        XCTAssertEqual(locks, [])
    }

    func testTheLeaseIsRenewedWhileALongStepRuns() async throws {
        let h = try ExecutorHarness()
        h.options.lockLease = 0.03  // heartbeat every 10 ms of real time
        await h.provider.block(.init("acme", .create, .network))
        let apply = Task { await h.apply([Plans.provision("acme", [.network])]) }
        await h.provider.waitUntilBlocked()
        // Leases run on the database's clock, not the executor's: a renewal moves `leaseUntil` past this one.
        let lockAtStart = try await h.store.locks().first
        let taken = try XCTUnwrap(lockAtStart).leaseUntil

        var renewed = false
        for _ in 0..<500 where !renewed {  // polls; the assertion is on the lease, never on elapsed time
            renewed = try await h.store.locks().first.map { $0.leaseUntil > taken } ?? false
            if !renewed { try await Task.sleep(for: .milliseconds(10)) }
        }
        await h.provider.release()
        let report = await apply.value

        XCTAssertTrue(renewed, "the lease was extended past the clock while the step was still running")
        XCTAssertTrue(report.succeeded)
    }
}
