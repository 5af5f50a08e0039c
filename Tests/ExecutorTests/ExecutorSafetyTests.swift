import XCTest
import FleetModel
import ProviderAPI
@testable import Store
import TestSupport
@testable import Executor

/// What an apply must not do even when the plan, the lock or the store misbehave.
final class ExecutorSafetyTests: XCTestCase {
    func testAnInstanceNamedTwiceIsNotRunAtAll() async throws {
        let h = try ExecutorHarness()
        let report = await h.apply([
            Plans.provision("acme", [.network]), Plans.provision("beta", [.network]),
            Plans.provision("acme", [.network, .key]),
        ])

        XCTAssertEqual(report.instances.map(\.name), ["acme", "beta"], "each name reported once")
        XCTAssertEqual(report.instances.map(\.result), [.failed, .succeeded])
        XCTAssertEqual(report.instances[0].error, "not started: the plan names acme 2 times; run `cloudctl plan` again")
        let calls = await h.provider.calls
        XCTAssertEqual(calls, [FakeCloudProvider.Call("beta", .create, .network)])
        let lastOperation = try await h.store.lastOperation(instance: "acme")
        XCTAssertNil(lastOperation)
    }

    /// A deferred instance holds later instances with the same kind of change (the same upgrade), never others.
    func testDeferredInstancesHoldLaterWavesOnlyForTheSameChange() async throws {
        let upgrade = InstanceIntent.upgrade(from: Version(5, 2, 0), to: Version(5, 2, 3), hops: [Version(5, 2, 3)])
        func upgrading(_ name: String, wave: Int) -> InstancePlan {
            var plan = Plans.instance(
                name, wave: wave, [Plans.step(.deploy, .taskDefinition, instance: name, disruptive: true)])
            plan.changes = [upgrade]
            return plan
        }
        for continueAfter in [false, true] {
            let h = try ExecutorHarness()
            h.options.continueAfterFailedWave = continueAfter
            var windowless = upgrading("later", wave: 1)
            windowless.steps[0].disruptive = false
            var provisioning = Plans.provision("fresh", wave: 1, [.network])
            provisioning.changes = [.provision]
            let report = await h.apply([
                upgrading("acme", wave: 0), Plans.provision("beta", wave: 0, [.network]),
                windowless, provisioning,
            ])

            let calls = await h.provider.calls
            if continueAfter {
                XCTAssertEqual(report.instances.map(\.result), [.deferred, .succeeded, .succeeded, .succeeded])
                // Instances of one wave run in parallel: their order is not fixed.
                XCTAssertEqual(Set(calls.map(\.instance)), ["beta", "later", "fresh"])
            } else {
                XCTAssertEqual(
                    report.instances.map(\.result), [.deferred, .succeeded, .deferred, .succeeded],
                    "the same upgrade is held back (not failed); a provisioning goes on")
                XCTAssertTrue(
                    report.succeeded, "nothing failed: the apply exits 0 and the next one inside the window goes on")
                XCTAssertEqual(
                    report.instances[2].error,
                    "not started: wave 0 had deferred instances with the same change "
                        + "(outside their maintenance window); apply again inside it, "
                        + "or pass --continue-after-failed-wave"
                )
                XCTAssertEqual(Set(calls.map(\.instance)), ["beta", "fresh"])
                let lastOperation = try await h.store.lastOperation(instance: "later")
                XCTAssertNil(lastOperation)
            }
        }
    }

    /// A deferred upgrade holds a later upgrade that passes through the same version, not only the same target.
    func testADeferredUpgradeHoldsLaterUpgradesThroughTheSameVersion() async throws {
        let h = try ExecutorHarness()
        var early = Plans.instance("acme", wave: 0, [Plans.step(.deploy, .taskDefinition, disruptive: true)])
        early.changes = [.upgrade(from: Version(5, 2, 0), to: Version(5, 3, 0), hops: [Version(5, 3, 0)])]
        var later = Plans.instance("beta", wave: 1, [Plans.step(.deploy, .taskDefinition, instance: "beta")])
        later.changes = [
            .upgrade(from: Version(5, 2, 0), to: Version(5, 4, 0), hops: [Version(5, 3, 0), Version(5, 4, 0)])
        ]
        let report = await h.apply([early, later])
        XCTAssertEqual(report.instances.map(\.result), [.deferred, .deferred])
        let calls = await h.provider.calls
        XCTAssertEqual(calls, [])
    }

    /// Every step is checked before the first call: one the provider cannot carry out stops the whole apply untouched.
    func testUnusableStepsAreFoundBeforeAnyCall() async throws {
        let h = try ExecutorHarness()
        let executor = Executor(
            store: h.store, provider: FakeCloudProvider(unsupported: [.dnsRecord]), options: h.options,
            observer: h.observer)
        let plan = Plan(
            toolVersion: "t", fleet: "f", instances: [Plans.provision("acme"), Plans.provision("beta", [.key])])
        XCTAssertEqual(
            executor.check(plan), ["acme: step 13 (create dns-record): the fake provider refuses dns-record"])
    }

    /// A change without steps (protection lifted) is recorded by apply, under the lock, with no cloud call.
    func testAChangeWithoutStepsIsRecorded() async throws {
        let h = try ExecutorHarness()
        try await h.store.saveRecorded(RecordedInstance(name: "acme", region: "us-east-1", protected: true))
        var lift = Plans.instance("acme", [])
        lift.changes = [.protection(false)]
        let report = await h.apply([lift])

        XCTAssertEqual(report.instances.map(\.result), [.succeeded])
        let recordedInstance = try await h.store.recordedInstance("acme")?.protected
        XCTAssertEqual(recordedInstance, false)
        let calls = await h.provider.calls
        XCTAssertEqual(calls, [])
    }

    func testALockLostMidStepInterruptsTheStepAndRecordsNothing() async throws {
        let h = try ExecutorHarness()
        await h.provider.block(.init("acme", .create, .network))
        let apply = Task { await h.apply([Plans.provision("acme", [.network, .key])]) }
        await h.provider.waitUntilBlocked()
        // Another apply takes the instance over (e.g. after `cloudctl unlock`) and records its own state.
        try await h.store.forceUnlock(instance: "acme")
        try await h.store.acquireLock(instance: "acme", holder: "alice@laptop", lease: 300)
        let theirs = RecordedInstance(name: "acme", region: "eu-west-1")
        try await h.store.saveRecorded(theirs)
        await h.provider.release()
        let report = await apply.value

        XCTAssertEqual(report.instances.map(\.result), [.failed])
        XCTAssertTrue(
            report.instances[0].error?.hasPrefix("step 1 (create network) interrupted: the lock on acme was lost")
                ?? false,
            "\(report)")
        let steps = try await h.lastOperation("acme").steps.sorted { $0.index < $1.index }
        XCTAssertEqual(steps.map(\.status), [.interrupted, .notStarted])
        XCTAssertTrue(steps[0].error?.contains("lock on acme was lost") ?? false)
        let recordedInstance = try await h.store.recordedInstance("acme")
        XCTAssertEqual(recordedInstance, theirs, "the other apply's recorded state is kept")
        let locks = try await h.store.locks().map(\.holder)
        XCTAssertEqual(locks, ["alice@laptop"], "their lock is not released")
        XCTAssertTrue(h.observer.events.current.contains("step acme 1 interrupted"))
        let calls = await h.provider.calls
        XCTAssertEqual(calls, [FakeCloudProvider.Call("acme", .create, .network)], "no step after the loss")
    }

    func testAStoreFailureAfterAStepBeganLeavesItInterruptedNotRunning() async throws {
        // Injected with SQLite triggers: the first makes journaling success fail, the second saving the recorded state.
        let failures = [
            "BEFORE UPDATE OF status ON steps WHEN NEW.status = 'succeeded'",
            "BEFORE INSERT ON instances",
        ]
        for failure in failures {
            let h = try ExecutorHarness()
            try await h.store.serialized {
                try $0.execute("CREATE TRIGGER injected \(failure) BEGIN SELECT RAISE(ABORT, 'disk full'); END")
            }
            let report = await h.apply([Plans.provision("acme", [.network, .key])])

            XCTAssertEqual(report.instances.map(\.result), [.failed], failure)
            XCTAssertTrue(report.instances[0].error?.hasPrefix("state store: ") ?? false, "\(failure): \(report)")
            let steps = try await h.lastOperation("acme").steps.sorted { $0.index < $1.index }
            XCTAssertEqual(steps.map(\.status), [.interrupted, .notStarted], failure)
            XCTAssertTrue(steps[0].error?.contains("disk full") ?? false, "\(failure): \(steps[0])")
            XCTAssertEqual(steps[0].cloudId, "network-acme", failure)
            XCTAssertTrue(h.observer.events.current.contains("step acme 1 interrupted"), failure)
            let locks = try await h.store.locks()
            XCTAssertEqual(locks, [], failure)
        }
    }
}
