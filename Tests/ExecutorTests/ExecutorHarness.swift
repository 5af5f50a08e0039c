import Foundation
import XCTest
import StateBackend
import FleetModel
import ProviderAPI
import Store
import TestSupport
@testable import Executor

/// Friday 2027-01-15 08:00 UTC: outside `Fixtures.window` (Sunday 02:00–06:00 UTC).
let fridayMorning = Date(timeIntervalSince1970: 1_800_000_000)

/// A temp-file store, a fake cloud and recorders wired into an `Executor`.
final class ExecutorHarness: @unchecked Sendable {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("executor-\(UUID().uuidString).db").path
    let store: SQLiteStateStore
    let provider = FakeCloudProvider()
    let observer = RecordingObserver()
    let sleeps = Locked<[Duration]>([])
    var options = ExecutorOptions(holder: "tester@ci")
    var specs: [String: InstanceSpec] = [:]
    /// The executor's clock; tests move it forward.
    let now = Locked(fridayMorning)
    /// The executor's backoff sleep; records the delay and returns at once unless replaced.
    lazy var sleep: @Sendable (Duration) async throws -> Void = { [sleeps] delay in sleeps.mutate { $0.append(delay) } }

    init() throws {
        store = try SQLiteStateStore(path: path)
        options.jitter = { 1 }  // the full backoff ceiling, so delays are predictable
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    var executor: Executor {
        Executor(
            store: store, provider: provider, options: options, observer: observer, clock: { [now] in now.current },
            sleep: sleep)
    }

    /// Applies instance plans made from the store's current recorded state; each gets `Fixtures.spec(name)` unless
    /// `specs` has one.
    func apply(_ instances: [InstancePlan]) async -> ApplyReport {
        var planned: [InstancePlan] = []
        for var instance in instances {
            let recorded = try? await store.recordedInstance(instance.name)
            instance.recordedFingerprint = recorded?.fingerprint ?? RecordedInstance.noneFingerprint
            planned.append(instance)
        }
        return await applyAsPlanned(planned)
    }

    /// Applies instance plans with the recorded fingerprints they carry.
    func applyAsPlanned(_ instances: [InstancePlan]) async -> ApplyReport {
        // A plan carries its instances' targets; test plans get them from the specs (or `Fixtures.spec(name)`).
        let planned = instances.map { instance in
            var instance = instance
            if instance.target == nil {
                instance.target = InstanceTarget(specs[instance.name] ?? Fixtures.spec(instance.name))
            }
            return instance
        }
        return await executor.apply(Plan(toolVersion: "test", fleet: "test", instances: planned))
    }

    /// Status of every journaled step of the newest operation of `name`, in step order.
    func stepStatuses(_ name: String) async throws -> [StepStatus] {
        try await lastOperation(name).steps.sorted { $0.index < $1.index }.map(\.status)
    }

    /// The newest operation of `name`, failing the test when there is none.
    func lastOperation(_ name: String, file: StaticString = #filePath, line: UInt = #line) async throws
        -> OperationRecord
    {
        let operation = try await store.lastOperation(instance: name)
        return try XCTUnwrap(operation, "no operation journaled for \(name)", file: file, line: line)
    }
}

/// Hand-built plans, independent of the planner.
enum Plans {
    /// Inputs a provision step would carry for `resource`.
    static func inputs(_ resource: ResourceKind, instance: String) -> [String: String] {
        switch resource {
        case .database:
            [StepInput.region: "us-east-1", StepInput.databaseClass: "db.t3.micro", StepInput.storageGB: "20"]
        case .taskDefinition: [StepInput.version: "5.2.3", StepInput.cpu: "256", StepInput.memory: "512"]
        case .service: [StepInput.replicas: "1"]
        case .dnsRecord: [StepInput.domain: "\(instance).cloud.example.com"]
        default: [StepInput.region: "us-east-1"]
        }
    }

    static func step(
        _ action: StepAction, _ resource: ResourceKind, instance: String = "acme", disruptive: Bool = false
    ) -> PlanStep {
        PlanStep(
            action: action, resource: resource, reason: "test", inputs: inputs(resource, instance: instance),
            inputsHash: "hash-\(action.rawValue)-\(resource.rawValue)", disruptive: disruptive)
    }

    /// Creates `resources` in order.
    static func provision(_ name: String, wave: Int = 0, _ resources: [ResourceKind] = ResourceKind.allCases)
        -> InstancePlan
    {
        instance(name, wave: wave, resources.map { step(.create, $0, instance: name) })
    }

    static func instance(_ name: String, wave: Int = 0, _ steps: [PlanStep]) -> InstancePlan {
        InstancePlan(
            name: name, wave: wave, specFingerprint: "spec-\(name)",
            recordedFingerprint: RecordedInstance.noneFingerprint, steps: steps)
    }
}
