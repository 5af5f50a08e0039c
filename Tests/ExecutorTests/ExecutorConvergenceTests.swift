import XCTest
import FleetModel
import Planner
import Store
import TestSupport
@testable import Executor

/// Planner and executor together: after an apply, planning again finds nothing to do.
final class ExecutorConvergenceTests: XCTestCase {
    func testEachLifecycleChangeConvergesAfterOneApply() async throws {
        let h = try ExecutorHarness()
        h.options.ignoreMaintenanceWindow = true
        let stages: [(String, InstanceSpec)] = [
            ("provision", Fixtures.spec("acme", version: Version(5, 1, 0))),
            ("upgrade", Fixtures.spec("acme", version: Version(5, 2, 3))),
            ("resize", Fixtures.spec("acme", version: Version(5, 2, 3), size: "medium")),
            (
                "domain change",
                Fixtures.spec("acme", version: Version(5, 2, 3), size: "medium", domain: "acme2.cloud.example.com")
            ),
            (
                "suspend",
                Fixtures.spec(
                    "acme", version: Version(5, 2, 3), size: "medium", state: .suspended,
                    domain: "acme2.cloud.example.com")
            ),
            (
                "resume",
                Fixtures.spec("acme", version: Version(5, 2, 3), size: "medium", domain: "acme2.cloud.example.com")
            ),
            (
                "teardown",
                Fixtures.spec(
                    "acme", version: Version(5, 2, 3), size: "medium", state: .deleted,
                    domain: "acme2.cloud.example.com")
            ),
        ]
        for (stage, spec) in stages {
            let plan = try await plan(spec, h)
            XCTAssertTrue(plan.hasChanges, "\(stage): expected work")
            let report = await h.executor.apply(plan)
            XCTAssertTrue(report.succeeded, "\(stage): \(report)")
            let again = try await self.plan(spec, h)
            XCTAssertFalse(
                again.hasChanges,
                "\(stage): re-plan should be empty, got "
                    + "\(again.instances.flatMap(\.steps).map { "\($0.action.rawValue) \($0.resource.rawValue)" })"
            )
        }
        let recordedFound = try await h.store.recordedInstance("acme")
        let recorded = try XCTUnwrap(recordedFound)
        XCTAssertEqual(recorded.state, .deleted)
        XCTAssertEqual(recorded.resources, [:])
    }

    private func plan(_ spec: InstanceSpec, _ h: ExecutorHarness) async throws -> Plan {
        let recorded = try await h.store.recordedInstances()
        let result = Planner.plan(
            PlanInput(fleet: Fixtures.fleet(), specs: [spec], recorded: recorded, toolVersion: "test"))
        XCTAssertEqual(result.diagnostics.filter { $0.severity == .error }.map(\.summary), [])
        return result.plan
    }
}
