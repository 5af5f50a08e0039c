import XCTest
import FleetModel
import Planner
import TestSupport

/// Waves, ordering, determinism and fingerprints across many instances.
final class PlannerOrderingTests: XCTestCase {
    private let names = (0..<300).map { String(format: "customer-%03d", $0) }

    func testWavesFollowTheChannel() {
        var fleet = Fixtures.fleet()
        fleet.channels["internal-only"] = Channel(waves: [Wave(name: "staff", types: [.internal])])
        let rows: [(spec: InstanceSpec, wave: Int)] = [
            (Fixtures.spec("staff", type: .internal, channel: "stable"), 0),
            (Fixtures.spec("first", channel: "internal"), 0),
            (Fixtures.spec("held", channel: "pause"), 0),
            (Fixtures.spec("nobody", channel: "internal-only"), 1),
            (Fixtures.spec("someone", type: .internal, channel: "internal-only"), 0),
        ]
        let result = Planner.plan(PlanInput(fleet: fleet, specs: rows.map(\.spec), recorded: [], toolVersion: "t"))
        for row in rows {
            XCTAssertEqual(result.plan.instances.first { $0.name == row.spec.name }?.wave, row.wave, row.spec.name)
        }
    }

    func testPercentWaveTakesAStableShareAndPlanIsSortedByWaveThenName() {
        let specs =
            names.map { Fixtures.spec($0, channel: "stable") }.reversed() + [Fixtures.spec("zz-staff", type: .internal)]
        let plan = Planner.plan(PlanInput(fleet: Fixtures.fleet(), specs: Array(specs), recorded: [], toolVersion: "t"))
            .plan
        let early = plan.instances.filter { $0.wave == 1 }.count
        XCTAssertTrue((30...90).contains(early), "20% of 300 should land in the early wave, got \(early)")
        XCTAssertEqual(plan.instances.first?.name, "zz-staff")
        XCTAssertEqual(plan.instances.filter { $0.wave == 2 }.count, 300 - early)
        XCTAssertEqual(
            plan.instances.map { [String($0.wave), $0.name] },
            plan.instances.map { [String($0.wave), $0.name] }.sorted {
                (Int($0[0])!, $0[1]) < (Int($1[0])!, $1[1])
            })
    }

    func testSameInputGivesTheSamePlan() {
        let specs = names.map { Fixtures.spec($0, version: Version(5, 3, 0), size: ["small", "medium"][$0.count % 2]) }
        let recorded = names.prefix(100).map {
            ExecutorRecordingSimulation.provisioned(Fixtures.spec($0, version: Version(5, 0, 0)))
        }
        let first = Planner.plan(PlanInput(fleet: Fixtures.fleet(), specs: specs, recorded: recorded, toolVersion: "t"))
        let second = Planner.plan(
            PlanInput(fleet: Fixtures.fleet(), specs: specs.shuffled(), recorded: recorded.shuffled(), toolVersion: "t")
        )
        XCTAssertEqual(first.plan, second.plan)
        XCTAssertEqual(first.diagnostics, second.diagnostics)
        XCTAssertEqual(first.plan.summary.create, 200 * 13)
    }

    func testFingerprints() {
        let fleet = Fixtures.fleet()
        let base = Planner.specFingerprint(Fixtures.spec(), fleet: fleet)
        XCTAssertEqual(base.count, 64)
        XCTAssertEqual(base, Planner.specFingerprint(Fixtures.spec(), fleet: fleet))

        var biggerSmall = fleet
        biggerSmall.tiers["small"]?.storageGB = 30
        var otherLarge = fleet
        otherLarge.tiers["large"]?.storageGB = 300
        var newerRelease = fleet
        newerRelease.releases = ReleaseCatalog(fleet.releases.releases + [Release(version: Version(5, 4, 0))])
        var labelled = Fixtures.spec()
        labelled.labels = ["team": "a"]
        let rows: [(name: String, spec: InstanceSpec, fleet: Fleet, changes: Bool)] = [
            ("its tier", Fixtures.spec(), biggerSmall, true),
            // Another tier matters too: a resize names the tier the record matches, and takes `before` from it.
            ("another tier", Fixtures.spec(), otherLarge, true),
            ("a release past its version", Fixtures.spec(), newerRelease, false),
            (
                "image", Fixtures.spec(),
                {
                    var f = fleet
                    f.image = "other/app"
                    return f
                }(), true
            ),
            (
                "dns target", Fixtures.spec(),
                {
                    var f = fleet
                    f.dns.target = "lb.example.com"
                    return f
                }(), true
            ),
            ("size", Fixtures.spec(size: "medium"), fleet, true),
            ("state", Fixtures.spec(state: .suspended), fleet, true),
            ("labels", labelled, fleet, true),
        ]
        for row in rows {
            XCTAssertEqual(Planner.specFingerprint(row.spec, fleet: row.fleet) != base, row.changes, row.name)
        }

        let plan = Planner.plan(PlanInput(fleet: fleet, specs: [Fixtures.spec()], recorded: [], toolVersion: "t")).plan
        XCTAssertEqual(plan.instances[0].specFingerprint, base)
        XCTAssertEqual(plan.instances[0].recordedFingerprint, RecordedInstance.noneFingerprint)
    }
}
