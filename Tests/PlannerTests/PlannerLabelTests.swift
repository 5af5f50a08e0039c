import XCTest
import FleetModel
import Planner
import Executor
import ProviderAPI
import TestSupport

/// Label changes on a provisioned instance: one non-disruptive label step per tagged resource, with the labels as
/// last applied and as the file says, and convergence once recorded.
final class PlannerLabelTests: XCTestCase {
    private typealias Sim = ExecutorRecordingSimulation
    /// Every resource that carries tags, in plan order: all but the DNS record.
    private static let tagged = ResourceKind.allCases.filter { $0 != .dnsRecord }

    private struct Row {
        var name: String
        /// Labels the instance was provisioned with (recorded as applied).
        var applied: [String: String]
        var desired: [String: String]
        /// The reason text every label step shows; nil when no step is expected.
        var text: String?
    }

    private let rows: [Row] = [
        Row(name: "no labels, none before", applied: [:], desired: [:], text: nil),
        Row(name: "unchanged", applied: ["team": "a"], desired: ["team": "a"], text: nil),
        Row(name: "added", applied: [:], desired: ["team": "a"], text: "labels: +team=a"),
        Row(name: "value changed", applied: ["team": "a"], desired: ["team": "b"], text: "labels: team=a → team=b"),
        Row(
            name: "removed", applied: ["team": "a", "costcenter": "cc"], desired: ["team": "a"],
            text: "labels: -costcenter"),
        Row(name: "all removed", applied: ["team": "a"], desired: [:], text: "labels: -team"),
        Row(
            name: "added, changed and removed", applied: ["team": "a", "costcenter": "cc"],
            desired: ["team": "b", "env": "prod"], text: "labels: -costcenter, +env=prod, team=a → team=b"),
    ]

    func testLabelChangesPlanOneQuietStepPerTaggedResourceAndConverge() {
        for row in rows {
            var before = Fixtures.spec()
            before.labels = row.applied
            var after = Fixtures.spec()
            after.labels = row.desired
            let recorded = Sim.provisioned(before)
            XCTAssertEqual(recorded.resources[.bucket]?.labels, row.applied, "\(row.name): created with its labels")
            let (plan, diagnostics) = Sim.plan(after, recorded: recorded)
            XCTAssertEqual(diagnostics, [], row.name)
            guard let text = row.text else {
                XCTAssertEqual(plan.steps, [], row.name)
                XCTAssertEqual(plan.changes, [], row.name)
                continue
            }
            XCTAssertEqual(plan.changes, [.relabel], row.name)
            XCTAssertEqual(plan.steps.map(\.resource), Self.tagged, row.name)
            for step in plan.steps {
                XCTAssertEqual(step.action, .update, row.name)
                XCTAssertEqual(step.reason, .labelsChanged, row.name)
                XCTAssertEqual(step.detail, .labels(before: row.applied, after: row.desired), row.name)
                XCTAssertEqual(step.reasonText, text, row.name)
                XCTAssertFalse(step.disruptive, "\(row.name): re-tagging interrupts nothing")
                XCTAssertNil(step.after, "\(row.name): a label step changes no attributes")
            }
            let applied = Sim.record(plan, spec: after, onto: recorded)
            for kind in Self.tagged {
                XCTAssertEqual(applied.resources[kind]?.labels, row.desired, "\(row.name) \(kind)")
                // The attributes and their hash stay as they were.
                XCTAssertEqual(applied.resources[kind]?.inputsHash, recorded.resources[kind]?.inputsHash, row.name)
                XCTAssertEqual(applied.resources[kind]?.attributes, recorded.resources[kind]?.attributes, row.name)
            }
            XCTAssertNotEqual(applied.fingerprint, recorded.fingerprint, "\(row.name): saved plans become stale")
            XCTAssertEqual(Sim.plan(after, recorded: applied).0.steps, [], "\(row.name): converges")
        }
    }

    /// Records from before labels were recorded read as none applied: an instance without labels plans nothing (and
    /// keeps its fingerprint), one with labels gets them put on once, removing nothing.
    func testRecordsFromBeforeLabelsWereRecorded() {
        var labelled = Fixtures.spec()
        labelled.labels = ["team": "a"]
        var legacy = Sim.provisioned(Fixtures.spec())
        for kind in legacy.resources.keys { legacy.resources[kind]?.labels = [:] }
        XCTAssertEqual(Sim.plan(Fixtures.spec(), recorded: legacy).0.steps, [])
        XCTAssertEqual(Sim.provisioned(Fixtures.spec()).fingerprint, legacy.fingerprint)

        let (plan, _) = Sim.plan(labelled, recorded: legacy)
        XCTAssertEqual(plan.steps.map(\.resource), Self.tagged)
        XCTAssertEqual(plan.steps.first?.detail, .labels(before: [:], after: ["team": "a"]))
    }

    /// A resource created by the same plan gets the file's labels as it is made: no label step for it. Other changes
    /// keep their steps, and the label steps come after them, before a suspended instance's database stops.
    func testLabelStepsBesideOtherChanges() {
        var old = Fixtures.spec(version: Version(5, 2, 0))
        old.labels = ["team": "a"]
        var recorded = Sim.provisioned(old)
        recorded.resources[.logGroup] = nil
        var new = Fixtures.spec(state: .suspended)
        new.labels = ["team": "b"]
        let (plan, diagnostics) = Sim.plan(new, recorded: recorded)
        XCTAssertEqual(diagnostics, [])
        let labelSteps = plan.steps.filter { $0.reason == .labelsChanged }.map(\.resource)
        XCTAssertEqual(labelSteps, Self.tagged.filter { $0 != .logGroup })
        XCTAssertEqual(plan.steps.first?.action, .create)
        XCTAssertEqual(plan.steps.last.map { "\($0.action.rawValue) \($0.resource.rawValue)" }, "stop database")
        XCTAssertTrue(plan.changes.contains(.relabel))
        let applied = Sim.record(plan, spec: new, onto: recorded)
        XCTAssertEqual(applied.resources[.logGroup]?.labels, ["team": "b"])
        XCTAssertEqual(Sim.plan(new, recorded: applied).0.steps, [])
    }

    /// The label step round-trips through the plan format: cause, detail and the words a reviewer reads.
    func testLabelStepInThePlanFormat() throws {
        let step = PlanStep(
            action: .update, resource: .bucket, reason: .labelsChanged,
            detail: .labels(before: ["team": "a", "old": "x"], after: ["team": "b"]))
        XCTAssertEqual(
            step.detail?.planJSON,
            .object([
                ("after", .object([("team", .string("b"))])),
                ("before", .object([("old", .string("x")), ("team", .string("a"))])), ("kind", .string("labels")),
            ]))
        XCTAssertEqual(try StepDetail(planJSON: step.detail!.planJSON), step.detail)
        XCTAssertEqual(try StepReason(planJSON: StepReason.labelsChanged.planJSON), .labelsChanged)
        XCTAssertEqual(try InstanceIntent(planJSON: InstanceIntent.relabel.planJSON), .relabel)
        XCTAssertEqual(step.reasonText, "labels: -old, team=a → team=b")
        XCTAssertEqual(step.inputsHash, "")
    }
}
