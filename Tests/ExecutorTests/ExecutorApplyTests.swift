import XCTest
import StateBackend
import FleetModel
import ProviderAPI
import Store
import TestSupport
@testable import Executor

final class ExecutorApplyTests: XCTestCase {
    func testProvisionRunsEveryStepInOrderJournalsItAndRecordsTheInstance() async throws {
        let h = try ExecutorHarness()
        let store = h.store
        let journalDuringCalls = Locked<[StepStatus?]>([])
        await h.provider.setProbe { _ in
            let current = try? await store.recentSteps(instance: "acme", limit: 1).first?.status
            journalDuringCalls.mutate { $0.append(current) }
        }
        let plan = Plans.provision("acme")

        let report = await h.apply([plan])

        XCTAssertEqual(
            report, ApplyReport(instances: [InstanceApplyResult(name: "acme", result: .succeeded, error: nil)]))
        XCTAssertTrue(report.succeeded)
        let calls = await h.provider.calls
        XCTAssertEqual(calls, ResourceKind.allCases.map { FakeCloudProvider.Call("acme", .create, $0) })
        XCTAssertEqual(
            journalDuringCalls.current, Array(repeating: .running, count: 13),
            "each step is journaled running before the call")

        let operation = try await h.lastOperation("acme")
        XCTAssertEqual(operation.result, .succeeded)
        XCTAssertEqual(operation.holder, "tester@ci")
        let steps = operation.steps.sorted { $0.index < $1.index }
        XCTAssertEqual(steps.map(\.status), Array(repeating: .succeeded, count: 13))
        XCTAssertEqual(steps.map(\.resource), ResourceKind.allCases)
        XCTAssertEqual(steps.map(\.attempts), Array(repeating: 1, count: 13))
        XCTAssertEqual(steps.first?.cloudId, "network-acme")

        let recordedFound = try await h.store.recordedInstance("acme")

        let recorded = try XCTUnwrap(recordedFound)
        XCTAssertEqual(recorded.state, .active)
        XCTAssertEqual(recorded.region, "us-east-1")
        XCTAssertEqual(recorded.runningVersion, Version(5, 2, 3))
        XCTAssertEqual(recorded.storageGB, 20)
        XCTAssertEqual(recorded.domain, "acme.cloud.example.com")
        XCTAssertEqual(
            recorded.resources[.database],
            RecordedResource(
                cloudId: "database-acme", inputsHash: "hash-create-database",
                attributes: .database(
                    DatabaseAttributes(
                        region: "us-east-1", databaseClass: "db.t3.micro", storageGB: 20, backupRetentionDays: 7))),
            "the attributes last applied are kept with the cloud id and hash")
        XCTAssertTrue(recorded.provisioned)
        XCTAssertEqual(recorded.resources.count, 13)
        let locks = try await h.store.locks()
        XCTAssertEqual(locks, [], "the lock is released")

        XCTAssertEqual(h.observer.events.current.first, "started acme 13")
        XCTAssertEqual(
            Array(h.observer.events.current.prefix(3).dropFirst()), ["step acme 1/13", "step acme 1 succeeded"])
        XCTAssertEqual(h.observer.events.current.last, "finished acme succeeded")
    }

    func testInstancesWithoutWorkAreNotRunOrReported() async throws {
        let h = try ExecutorHarness()
        var orphaned = Plans.provision("gone")
        orphaned.status = .orphaned
        var refused = Plans.provision("kept")
        refused.status = .refused
        let report = await h.apply([orphaned, Plans.instance("idle", []), refused, Plans.provision("acme", [.network])])

        XCTAssertEqual(report.instances.map(\.name), ["acme"])
        let calls = await h.provider.calls
        XCTAssertEqual(calls, [FakeCloudProvider.Call("acme", .create, .network)])
        let lastOperation = try await h.store.lastOperation(instance: "idle")
        XCTAssertNil(lastOperation)
    }

    func testAnInstanceWithoutTargetFailsClearly() async throws {
        let h = try ExecutorHarness()
        let plan = Plan(toolVersion: "test", fleet: "test", instances: [Plans.provision("ghost", [.network])])
        let report = await h.executor.apply(plan)

        XCTAssertEqual(report.instances.map(\.result), [.failed])
        XCTAssertTrue(report.instances[0].error?.contains("carries no target") ?? false, "\(report)")
        let calls = await h.provider.calls
        XCTAssertEqual(calls, [])
    }

    func testTeardownLeavesADeletedRecordWithoutResources() async throws {
        let h = try ExecutorHarness()
        try await h.store.saveRecorded(
            RecordedInstance(
                name: "acme", region: "us-east-1",
                resources: [
                    .bucket: RecordedResource(cloudId: "b", inputsHash: "h"),
                    .database: RecordedResource(cloudId: "d", inputsHash: "h"),
                ]))
        h.specs["acme"] = Fixtures.spec("acme", state: .deleted)
        h.options.ignoreMaintenanceWindow = true
        let steps = [
            Plans.step(.snapshot, .database, disruptive: true), Plans.step(.delete, .database, disruptive: true),
            Plans.step(.delete, .bucket, disruptive: true),
        ]

        let report = await h.apply([Plans.instance("acme", steps)])

        XCTAssertTrue(report.succeeded)
        let recordedFound = try await h.store.recordedInstance("acme")
        let recorded = try XCTUnwrap(recordedFound)
        XCTAssertEqual(recorded.state, .deleted)
        XCTAssertEqual(recorded.resources, [:])
    }

    func testAPlanMadeBeforeAnotherApplyChangedTheInstanceIsRefusedForIt() async throws {
        let h = try ExecutorHarness()
        let before = RecordedInstance(
            name: "acme", region: "us-east-1",
            resources: [.network: RecordedResource(cloudId: "vpc-1", inputsHash: "h")])
        try await h.store.saveRecorded(before)
        var stale = Plans.provision("acme", [.key])
        stale.recordedFingerprint = before.fingerprint
        var current = Plans.provision("beta", [.network])
        current.recordedFingerprint = RecordedInstance.noneFingerprint
        var changed = before
        changed.resources[.key] = RecordedResource(cloudId: "key-1", inputsHash: "h")
        try await h.store.saveRecorded(changed)  // as another apply would, between plan and apply

        let report = await h.applyAsPlanned([stale, current])

        XCTAssertEqual(report.instances.map(\.result), [.failed, .succeeded])
        XCTAssertEqual(
            report.instances[0].error,
            "recorded state of acme changed since this plan was made (another apply?); run `cloudctl plan` again")
        let calls = await h.provider.calls
        XCTAssertEqual(
            calls, [FakeCloudProvider.Call("beta", .create, .network)], "nothing is performed for the stale instance")
        let lastOperation = try await h.store.lastOperation(instance: "acme")
        XCTAssertNil(lastOperation)
        let recordedInstance = try await h.store.recordedInstance("acme")
        XCTAssertEqual(recordedInstance, changed)
        let locks = try await h.store.locks()
        XCTAssertEqual(locks, [])
    }

    func testDisruptiveStepsOutsideTheWindowAreDeferred() async throws {
        let h = try ExecutorHarness()
        let report = await h.apply([
            Plans.instance("acme", [Plans.step(.update, .database, disruptive: true)]),
            Plans.provision("beta", [.network]),
        ])

        XCTAssertEqual(report.instances.map(\.result), [.deferred, .succeeded])
        XCTAssertTrue(report.succeeded, "a deferred instance is not a failure")
        XCTAssertTrue(report.instances[0].error?.contains("sun 02:00") ?? false, "\(report)")
        let calls = await h.provider.calls
        XCTAssertEqual(
            calls, [FakeCloudProvider.Call("beta", .create, .network)], "non-disruptive work runs outside the window")
        // The deferral is an event in history: an operation without steps, and no lock was taken for it.
        let lastOperation = try await h.store.lastOperation(instance: "acme")
        XCTAssertEqual(lastOperation?.result, .deferred)
        XCTAssertEqual(lastOperation?.steps, [])
        XCTAssertTrue(lastOperation?.error?.contains("next opens 2027-01-17 02:00 UTC") ?? false, "\(lastOperation!)")
        let locks = try await h.store.locks()
        XCTAssertEqual(locks, [])
    }

    func testIgnoringTheWindowRunsDisruptiveSteps() async throws {
        let h = try ExecutorHarness()
        h.options.ignoreMaintenanceWindow = true
        let report = await h.apply([Plans.instance("acme", [Plans.step(.update, .database, disruptive: true)])])

        XCTAssertEqual(report.instances.map(\.result), [.succeeded])
        let calls = await h.provider.calls
        XCTAssertEqual(calls, [FakeCloudProvider.Call("acme", .update, .database)])
    }
}
