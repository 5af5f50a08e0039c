import XCTest
import FleetModel
import Planner
import TestSupport

/// The streaming entry points agree with `Planner.plan(_:) -> PlanResult` on a mixed fleet.
final class PlannerStreamingTests: XCTestCase {
    private typealias Sim = ExecutorRecordingSimulation

    /// New, unchanged, refused, broken (region change; unknown size without a record) and orphaned instances across
    /// waves.
    private var input: PlanInput {
        let specs =
            (0..<40).map { Fixtures.spec(String(format: "inst-%02d", $0), type: $0 % 3 == 0 ? .internal : .production) }
            + [
                Fixtures.spec("zeta", state: .deleted, protected: true), Fixtures.spec("moved", region: "eu-west-1"),
                Fixtures.spec("nosize", size: "huge"),
            ]
        let recorded =
            specs.prefix(10).map { Sim.provisioned($0) }
            + [
                Sim.provisioned(Fixtures.spec("zeta")), Sim.provisioned(Fixtures.spec("moved")),
                Sim.provisioned(Fixtures.spec("gone")),
            ]
        return PlanInput(fleet: Fixtures.fleet(), specs: specs.reversed(), recorded: recorded, toolVersion: "test")
    }

    func testStreamedPlanEqualsWholePlan() {
        let whole = Planner.plan(input)
        var streamed: [InstancePlan] = []
        let outline = Planner.plan(input) { streamed.append($0) }
        XCTAssertEqual(streamed, whole.plan.instances)
        XCTAssertEqual(outline.summary, whole.plan.summary)
        XCTAssertEqual(outline.diagnostics, whole.diagnostics)
        XCTAssertGreaterThan(Set(streamed.map(\.wave)).count, 1, "the fixture should span several waves")
        XCTAssertEqual(whole.plan.summary.orphaned, 1)
        XCTAssertEqual(whole.plan.summary.refused, 1)
    }

    func testDiagnosticsAloneEqualThePlans() {
        let expected = Planner.plan(input).diagnostics
        XCTAssertEqual(expected.map(\.severity), [.error, .error, .error, .warning])
        XCTAssertEqual(Planner.diagnostics(input), expected)
    }
}
