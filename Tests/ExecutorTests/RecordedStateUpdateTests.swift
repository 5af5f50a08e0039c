import XCTest
import FleetModel
import ProviderAPI
import TestSupport
@testable import Executor

final class RecordedStateUpdateTests: XCTestCase {
    private let existing = RecordedInstance(
        name: "acme", region: "us-east-1", runningVersion: Version(5, 1, 0), state: .active,
        domain: "old.cloud.example.com",
        storageGB: 20,
        resources: [
            .database: RecordedResource(cloudId: "db-1", inputsHash: "old"),
            .taskDefinition: RecordedResource(cloudId: "td-1", inputsHash: "old"),
            .dnsRecord: RecordedResource(cloudId: "old.cloud.example.com", inputsHash: "old"),
        ])

    func testEachActionChangesExactlyWhatTheArchitectureSays() {
        struct Case {
            var step: PlanStep
            var outcome: StepOutcome
            var change: (inout RecordedInstance) -> Void
        }
        let cases: [Case] =
            [
                Case(step: step(.create, .network, [:]), outcome: StepOutcome(cloudId: "vpc-1", network: Self.network))
                {
                    $0.resources[.network] = RecordedResource(cloudId: "vpc-1", inputsHash: "new")
                    $0.network = Self.network
                },
                // A step that had to look the network up again reports what it found.
                Case(
                    step: step(.create, .service, [StepInput.replicas: "1"]),
                    outcome: StepOutcome(cloudId: "svc-1", network: Self.network)
                ) {
                    $0.resources[.service] = RecordedResource(cloudId: "svc-1", inputsHash: "new")
                    $0.network = Self.network
                },
                Case(step: step(.update, .database, [StepInput.storageGB: "50"]), outcome: StepOutcome()) {
                    $0.resources[.database] = RecordedResource(cloudId: "db-1", inputsHash: "new")
                    $0.storageGB = 50
                },
                Case(
                    step: step(.deploy, .taskDefinition, [StepInput.version: "5.2.0"]),
                    outcome: StepOutcome(cloudId: "td-2")
                ) {
                    // The version runs once its health check passed, not when it is deployed.
                    $0.resources[.taskDefinition] = RecordedResource(cloudId: "td-2", inputsHash: "new")
                },
                Case(step: step(.healthCheck, .service, [StepInput.version: "5.2.0"]), outcome: StepOutcome()) {
                    $0.runningVersion = Version(5, 2, 0)
                },
                Case(
                    step: step(.update, .dnsRecord, [StepInput.domain: "new.cloud.example.com"]),
                    outcome: StepOutcome(cloudId: "new.cloud.example.com")
                ) {
                    $0.resources[.dnsRecord] = RecordedResource(cloudId: "new.cloud.example.com", inputsHash: "new")
                    $0.domain = "new.cloud.example.com"
                },
                Case(step: step(.delete, .database, [:]), outcome: StepOutcome()) { $0.resources[.database] = nil },
            ]
            + [StepAction.snapshot, .migrate, .stop, .start].map {
                Case(
                    step: step($0, .database, [StepInput.version: "9.9.9", StepInput.storageGB: "99"]),
                    outcome: StepOutcome(cloudId: "x")
                ) { _ in }
            }
        for testCase in cases {
            var expected = existing
            testCase.change(&expected)
            if [.create, .update, .deploy].contains(testCase.step.action) {
                expected.resources[testCase.step.resource]?.attributes = testCase.step.after
            }
            var actual = existing
            actual.record(testCase.step, outcome: testCase.outcome, labels: [:])
            XCTAssertEqual(actual, expected, "\(testCase.step.action.rawValue) \(testCase.step.resource.rawValue)")
        }
    }

    /// A create records the plan's labels; other updates keep what was applied; a label step changes only them.
    func testLabelsAppliedAreRecorded() {
        let labels = ["team": "a"]
        var record = existing
        record.resources[.bucket] = nil
        record.record(step(.create, .bucket, [:]), outcome: StepOutcome(cloudId: "b"), labels: labels)
        XCTAssertEqual(record.resources[.bucket]?.labels, labels)
        record.record(step(.update, .bucket, [:]), outcome: StepOutcome(), labels: ["team": "b"])
        XCTAssertEqual(record.resources[.bucket]?.labels, labels, "an update puts no labels on")
        let before = record.resources[.bucket]
        let relabel = PlanStep(
            action: .update, resource: .bucket, reason: .labelsChanged,
            detail: .labels(before: labels, after: ["team": "b"]))
        record.record(relabel, outcome: StepOutcome(note: "labels put: team"), labels: ["team": "b"])
        XCTAssertEqual(record.resources[.bucket]?.labels, ["team": "b"])
        XCTAssertEqual(record.resources[.bucket]?.inputsHash, before?.inputsHash)
        XCTAssertEqual(record.resources[.bucket]?.attributes, before?.attributes)
        XCTAssertEqual(record.resources[.bucket]?.cloudId, "b")
    }

    private static let network = NetworkIds(vpc: "vpc-1", subnets: ["subnet-1", "subnet-2"], securityGroup: "sg-1")

    /// Ids of a network that is deleted, or of an instance that is, are forgotten; other steps leave them as they are.
    func testNetworkIdsAreForgottenWithTheNetwork() {
        var withNetwork = existing
        withNetwork.resources[.network] = RecordedResource(cloudId: "vpc-1", inputsHash: "old")
        withNetwork.network = Self.network
        var kept = withNetwork
        kept.record(step(.update, .database, [StepInput.storageGB: "50"]), outcome: StepOutcome(), labels: [:])
        XCTAssertEqual(kept.network, Self.network)
        var deletedNetwork = withNetwork
        deletedNetwork.record(step(.delete, .network, [:]), outcome: StepOutcome(), labels: [:])
        XCTAssertNil(deletedNetwork.network)
        var deletedInstance = withNetwork
        deletedInstance.complete(as: InstanceTarget(Fixtures.spec("acme", state: .deleted)))
        XCTAssertNil(deletedInstance.network)
    }

    func testCompletionTakesStateAndRegionFromTheSpecAndClearsADeletedInstance() {
        var suspended = existing
        suspended.complete(as: InstanceTarget(Fixtures.spec("acme", state: .suspended, region: "eu-west-1")))
        XCTAssertEqual(suspended.state, .suspended)
        XCTAssertEqual(suspended.region, "eu-west-1")
        XCTAssertEqual(suspended.resources.count, 3)

        var deleted = existing
        deleted.complete(as: InstanceTarget(Fixtures.spec("acme", state: .deleted)))
        XCTAssertEqual(
            deleted,
            RecordedInstance(
                name: "acme", region: "us-east-1", runningVersion: nil, state: .deleted,
                domain: nil, storageGB: nil, resources: [:]))
    }

    private func step(_ action: StepAction, _ resource: ResourceKind, _ inputs: [String: String]) -> PlanStep {
        PlanStep(action: action, resource: resource, reason: "test", inputs: inputs, inputsHash: "new")
    }
}
