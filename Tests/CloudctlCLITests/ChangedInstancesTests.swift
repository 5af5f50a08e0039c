import XCTest
import FleetModel
import FleetFiles
import TestSupport
@testable import CloudctlCLI

/// `--changed-since`: which instances an edit between two revisions selects.
final class ChangedInstancesTests: XCTestCase {
    private let specs = [
        Fixtures.spec("acme", size: "medium"), Fixtures.spec("globex", size: "small"),
        Fixtures.spec("hooli", size: "medium", channel: "canary"), Fixtures.spec("initech", size: "large"),
    ]

    private func loaded(_ fleet: Fleet, _ specs: [InstanceSpec]) -> LoadedFleet {
        LoadedFleet(
            fleet: fleet, specs: specs,
            files: Dictionary(uniqueKeysWithValues: specs.map { ($0.name, "Instances/\($0.name).json") }),
            diagnostics: [])
    }

    func testSelection() {
        let base = Fixtures.fleet()
        var mediumTier = base
        mediumTier.tiers["medium"]!.replicas += 1
        var newRelease = base
        newRelease.releases = ReleaseCatalog(base.releases.releases + [Release(version: Version(6, 0, 0))])
        var newTier = base
        newTier.tiers["xlarge"] = Tier(
            databaseClass: "db.m5.xlarge", storageGB: 500, cpu: 2048, memory: 4096, replicas: 4)
        var canary = base
        canary.channels["canary"] = Channel(waves: [Wave(name: "first"), Wave(name: "second")])
        var image = base
        image.image = "registry.example.com/other"
        var acmeUpgraded = specs
        acmeUpgraded[0].version = Version(5, 3, 0)
        var globexLabel = specs
        globexLabel[1].labels["team"] = "b"
        let added = specs + [Fixtures.spec("newco")]

        let cases: [(name: String, old: LoadedFleet, new: LoadedFleet, selected: [String], removed: [String])] = [
            ("nothing changed", loaded(base, specs), loaded(base, specs), [], []),
            ("tier medium changed", loaded(base, specs), loaded(mediumTier, specs), ["acme", "hooli"], []),
            ("a new release in the catalog", loaded(base, specs), loaded(newRelease, specs), [], []),
            ("a tier nobody uses", loaded(base, specs), loaded(newTier, specs), [], []),
            ("the canary channel's waves", loaded(base, specs), loaded(canary, specs), ["hooli"], []),
            ("the image every instance uses", loaded(base, specs), loaded(image, specs), specs.map(\.name), []),
            ("one instance upgraded", loaded(base, specs), loaded(base, acmeUpgraded), ["acme"], []),
            ("a label edited", loaded(base, specs), loaded(base, globexLabel), ["globex"], []),
            ("a new instance file", loaded(base, specs), loaded(base, added), ["newco"], []),
            ("an instance file removed", loaded(base, added), loaded(base, specs), [], ["newco"]),
            (
                "no fleet file at the revision",
                LoadedFleet(fleet: nil, specs: [], files: [:], diagnostics: []), loaded(base, specs),
                specs.map(\.name), []
            ),
        ]
        for row in cases {
            let changed = ChangedInstances(old: row.old, new: row.new)
            XCTAssertEqual(changed.names, row.selected, row.name)
            XCTAssertEqual(changed.removed, row.removed, row.name)
        }
    }

    func testAFileThatNoLongerLoadsIsReportedAsChanged() {
        let fleet = Fixtures.fleet()
        var now = loaded(fleet, Array(specs.dropFirst()))
        now.diagnostics = [.error("bad", detail: "x", at: SourceLocation(file: "Instances/acme.json"))]
        let changed = ChangedInstances(old: loaded(fleet, specs), new: now)
        XCTAssertEqual(changed.names, [])
        XCTAssertEqual(changed.invalidFiles, ["Instances/acme.json"])
        XCTAssertEqual(changed.removed, [], "a broken file is not a removed one")
    }
}
