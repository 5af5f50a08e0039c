import XCTest
import FleetModel
import Planner
import TestSupport

/// Instances the planner refuses or reports instead of touching.
final class PlannerDiagnosticsTests: XCTestCase {
    private typealias Sim = ExecutorRecordingSimulation

    func testProblemsAreErrorsAtTheFieldAndStopTheInstance() {
        let rows: [(name: String, before: InstanceSpec, after: InstanceSpec, field: String, mentions: String)] = [
            ("shrink", Fixtures.spec(size: "medium"), Fixtures.spec(size: "small"), "size", "50 GiB"),
            ("region", Fixtures.spec(), Fixtures.spec(region: "eu-west-1"), "region", "fixed after creation"),
            ("downgrade", Fixtures.spec(), Fixtures.spec(version: Version(5, 2, 0)), "version", "downgrade"),
            ("unknown target", Fixtures.spec(), Fixtures.spec(version: Version(5, 9, 0)), "version", "5.9.0"),
            ("unknown size", Fixtures.spec(), Fixtures.spec(size: "huge"), "size", "small"),
        ]
        for row in rows {
            let (plan, diagnostics) = Sim.plan(row.after, recorded: Sim.provisioned(row.before))
            XCTAssertEqual(plan.steps, [], row.name)
            XCTAssertEqual(diagnostics.count, 1, row.name)
            XCTAssertEqual(diagnostics.first?.severity, .error, row.name)
            XCTAssertEqual(
                diagnostics.first?.location, SourceLocation(file: "Instances/acme.json", fieldPath: row.field), row.name
            )
            XCTAssertTrue(diagnostics.first?.description.contains(row.mentions) ?? false, "\(row.name): \(diagnostics)")
        }
    }

    func testProtectedTeardownIsRefused() {
        let (plan, diagnostics) = Sim.plan(
            Fixtures.spec(state: .deleted, protected: true), recorded: Sim.provisioned(Fixtures.spec()))
        XCTAssertEqual(plan.status, .refused)
        XCTAssertNotNil(plan.refusal)
        XCTAssertEqual(plan.steps, [])
        XCTAssertEqual(diagnostics.map(\.severity), [.error])
        XCTAssertEqual(diagnostics.first?.location?.fieldPath, "protected")
        XCTAssertTrue(diagnostics.first?.detail?.contains("set protected to false in a reviewed change first") ?? false)
    }

    func testOrphansAreReportedNeverTouched() {
        let gone = Sim.provisioned(Fixtures.spec("gone"))
        var tornDown = Sim.provisioned(Fixtures.spec("old"))
        tornDown.state = .deleted
        tornDown.resources = [:]
        let result = Planner.plan(
            PlanInput(
                fleet: Fixtures.fleet(), specs: [Fixtures.spec()], recorded: [gone, tornDown], toolVersion: "test"))
        XCTAssertEqual(result.plan.instances.map(\.name).sorted(), ["acme", "gone"])
        let orphan = result.plan.instances.first { $0.name == "gone" }!
        XCTAssertEqual(orphan.status, .orphaned)
        XCTAssertEqual(orphan.steps, [])
        XCTAssertEqual(orphan.specFingerprint, "")
        XCTAssertEqual(orphan.recordedFingerprint, gone.fingerprint)
        XCTAssertEqual(result.plan.summary.orphaned, 1)
        XCTAssertEqual(result.diagnostics.map(\.severity), [.warning])
        XCTAssertTrue(result.diagnostics[0].description.contains("\"state\": \"deleted\""))
        XCTAssertTrue(result.diagnostics[0].description.contains("never tears down"))
    }

    func testSelection() {
        let specs = ["acme", "beta", "cora"].map { Fixtures.spec($0) }
        let gone = Sim.provisioned(Fixtures.spec("gone"))
        let rows: [(selection: Set<String>?, planned: [String], errors: [String])] = [
            (nil, ["acme", "beta", "cora", "gone"], []),
            (["beta"], ["beta"], []),
            (["beta", "gone"], ["beta", "gone"], []),
            (["beta", "nope", "zed"], ["beta"], ["unknown instance \"nope\"", "unknown instance \"zed\""]),
        ]
        for row in rows {
            let result = Planner.plan(
                PlanInput(
                    fleet: Fixtures.fleet(), specs: specs, recorded: [gone], selection: row.selection, toolVersion: "t")
            )
            XCTAssertEqual(
                result.plan.instances.map(\.name).sorted(), row.planned, "\(String(describing: row.selection))")
            XCTAssertEqual(result.diagnostics.filter { $0.severity == .error }.map(\.summary), row.errors)
        }
    }
}
