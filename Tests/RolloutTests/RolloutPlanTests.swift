import Foundation
import XCTest
import FleetModel
import Planner
import TestSupport
@testable import Rollout

/// Which wave a release reaches each instance in, and which it skips.
final class RolloutPlanTests: XCTestCase {
    private let v530 = Version(5, 3, 0)

    func testWaveAssignmentAndSkipReasons() {
        let fleet = Fixtures.fleet()
        let cases: [(spec: InstanceSpec, wave: String?, skip: RolloutSkip?)] = [
            (Fixtures.spec("dogfood", type: .internal), "internal", nil),
            (Fixtures.spec("inhouse", channel: "internal"), "internal/all", nil),
            (Fixtures.spec("frozen", channel: "pause"), nil, .pausedChannel("pause")),
            (Fixtures.spec("gone", state: .deleted), nil, .deleted),
            (Fixtures.spec("ahead", version: Version(5, 3, 0)), "rest", .alreadyAt(Version(5, 3, 0))),
            (Fixtures.spec("lost", channel: "nowhere"), nil, .channelNotTaking("nowhere")),
        ]
        for (spec, wave, skip) in cases {
            let plan = RolloutPlan.make(version: v530, fleet: fleet, specs: [spec])
            let found = plan.waves.first { $0.members.contains { $0.name == spec.name } }
            XCTAssertEqual(found?.wave.label, wave, spec.name)
            XCTAssertEqual(plan.skipped.first?.reason, skip, spec.name)
        }
    }

    func testHopsAndUnreachable() {
        var fleet = Fixtures.fleet()
        fleet.releases = ReleaseCatalog(fleet.releases.releases + [Release(version: Version(5, 4, 0))])
        let specs = [
            Fixtures.spec("acme", version: Version(5, 2, 3)),
            Fixtures.spec("old", version: Version(5, 1, 0)),
            Fixtures.spec("odd", version: Version(9, 9, 9)),
        ]
        let plan = RolloutPlan.make(version: Version(5, 4, 0), fleet: fleet, specs: specs)
        let members = plan.waves.flatMap(\.upgrades)
        XCTAssertEqual(members.first { $0.name == "acme" }?.hops, [Version(5, 3, 0), Version(5, 4, 0)])
        XCTAssertEqual(members.first { $0.name == "old" }?.hops, [Version(5, 3, 0), Version(5, 4, 0)])
        // 9.9.9 is beyond the release: skipped, not unreachable.
        XCTAssertEqual(plan.skipped.map(\.name), ["odd"])
        let fromUnknown = RolloutPlan.make(
            version: Version(5, 4, 0), fleet: fleet, specs: [Fixtures.spec("stray", version: Version(5, 2, 9))])
        XCTAssertEqual(fromUnknown.unreachable.map(\.name), ["stray"])
        XCTAssertEqual(fromUnknown.unreachable.first?.problem, .sourceNotInCatalog(Version(5, 2, 9)))
    }

    /// A newer patch mid-rollout starts again at the first wave and includes instances already on the older one.
    func testNewerPatchRestartsFromTheFirstWave() {
        var fleet = Fixtures.fleet()
        fleet.releases = ReleaseCatalog(
            fleet.releases.releases + [Release(version: Version(5, 4, 0)), Release(version: Version(5, 4, 1))])
        let specs = [
            Fixtures.spec("dogfood", version: Version(5, 4, 0), type: .internal),
            Fixtures.spec("acme", version: Version(5, 3, 0)),
        ]
        let plan = RolloutPlan.make(version: Version(5, 4, 1), fleet: fleet, specs: specs)
        XCTAssertEqual(plan.waves.first?.wave.label, "internal")
        XCTAssertEqual(plan.waves.first?.upgrades.map(\.name), ["dogfood"])
        XCTAssertEqual(plan.waves.first?.upgrades.first?.hops, [Version(5, 4, 1)])
    }

    func testGateDurationParsing() {
        let cases: [(String, Int64?, String?)] = [
            ("48h", 172_800_000, "48h"), ("30m", 1_800_000, "30m"), ("5s", 5000, "5s"), ("500ms", 500, "500ms"),
            ("14d", 1_209_600_000, "14d"), ("2d", 172_800_000, "48h"), ("0s", nil, nil), ("h", nil, nil),
            ("-1h", nil, nil), ("1.5h", nil, nil), ("48", nil, nil), ("400d", nil, nil),
        ]
        for (text, milliseconds, shown) in cases {
            let parsed = GateDuration(parsing: text)
            XCTAssertEqual(parsed?.milliseconds, milliseconds, text)
            XCTAssertEqual(parsed?.description, shown, text)
        }
    }
}
