import XCTest
import Foundation
import FleetModel
import Planner
import TestSupport

/// Plans a 100,000-instance fleet; run in release with
/// `PLANNER_SCALE=1 swift test -c release --filter PlannerScaleTests`.
final class PlannerScaleTests: XCTestCase {
    func testHundredThousandNewInstances() throws {
        try XCTSkipUnless(ProcessInfo.processInfo.environment["PLANNER_SCALE"] == "1", "set PLANNER_SCALE=1 to run")
        let count = 100_000
        let specs = (0..<count).map { Fixtures.spec("customer-\($0)", size: ["small", "medium", "large"][$0 % 3]) }
        let (wall, cpu) = (Date(), clock())
        let result = Planner.plan(PlanInput(fleet: Fixtures.fleet(), specs: specs, recorded: [], toolVersion: "t"))
        // Reported, not asserted: time depends on the machine and its load (CPU time is the fairer number on a busy
        // one).
        print(
            String(
                format: "planned %d instances in %.2f s wall, %.2f s CPU", count, Date().timeIntervalSince(wall),
                Double(clock() - cpu) / Double(CLOCKS_PER_SEC)))
        XCTAssertEqual(result.plan.summary.create, count * 9)
        XCTAssertEqual(result.diagnostics, [])
    }
}
