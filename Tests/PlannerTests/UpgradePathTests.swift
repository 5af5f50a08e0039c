import XCTest
import FleetModel
import Planner
import TestSupport

final class UpgradePathTests: XCTestCase {
    private func v(_ text: String) -> Version { Version(text)! }

    func testPathsThroughTheFixtureCatalog() throws {
        // Fixture catalog: 4.8.0 4.8.2 4.9.0 4.9.1 5.0.0 5.1.0 5.2.0 5.2.3 5.3.0(jumpFrom 5.1.0)
        let rows: [(from: String, to: String, hops: [String])] = [
            ("5.2.3", "5.2.3", []),
            ("5.2.0", "5.2.3", ["5.2.3"]),
            ("4.8.0", "4.8.2", ["4.8.2"]),
            ("4.8.0", "4.9.0", ["4.9.0"]),
            ("4.8.0", "4.9.1", ["4.9.1"]),
            ("4.8.2", "4.9.1", ["4.9.1"]),
            ("4.8.0", "5.0.0", ["4.9.1", "5.0.0"]),
            ("4.9.0", "5.0.0", ["5.0.0"]),
            ("4.9.1", "5.1.0", ["5.0.0", "5.1.0"]),
            ("4.8.2", "5.2.3", ["4.9.1", "5.0.0", "5.1.0", "5.2.3"]),
            ("4.8.0", "5.2.0", ["4.9.1", "5.0.0", "5.1.0", "5.2.0"]),
            ("5.1.0", "5.2.0", ["5.2.0"]),
            ("5.1.0", "5.2.3", ["5.2.3"]),
            ("5.1.0", "5.3.0", ["5.3.0"]),
            ("5.2.0", "5.3.0", ["5.3.0"]),
            ("5.2.3", "5.3.0", ["5.3.0"]),
            ("5.0.0", "5.3.0", ["5.1.0", "5.3.0"]),
            ("4.8.0", "5.3.0", ["4.9.1", "5.0.0", "5.1.0", "5.3.0"]),
        ]
        let catalog = Fixtures.fleet().releases
        for row in rows {
            let hops = try UpgradePath.hops(from: v(row.from), to: v(row.to), catalog: catalog)
            XCTAssertEqual(hops.map(\.description), row.hops, "\(row.from) → \(row.to)")
        }
    }

    func testJumpsAndGapsInACustomCatalog() throws {
        let catalog = ReleaseCatalog([
            Release(version: v("1.0.0")), Release(version: v("1.1.0")), Release(version: v("1.1.4")),
            Release(version: v("1.3.0")), Release(version: v("1.4.0")),
            Release(version: v("2.0.0"), jumpFrom: v("1.1.0")),
            Release(version: v("2.1.0"), jumpFrom: v("1.0.0")),
            Release(version: v("2.2.0")),
            Release(version: v("3.0.0"), jumpFrom: v("2.2.0")),
        ])
        let rows: [(from: String, to: String, hops: [String])] = [
            ("1.0.0", "1.1.0", ["1.1.0"]),
            ("1.0.0", "1.3.0", ["1.1.4", "1.3.0"]),  // 1.2 is absent: the next line present is 1.3
            ("1.1.0", "1.4.0", ["1.3.0", "1.4.0"]),
            ("1.0.0", "2.0.0", ["1.1.4", "2.0.0"]),  // the jump to 2.1.0 would pass the target
            ("1.1.0", "2.0.0", ["2.0.0"]),
            ("1.3.0", "2.0.0", ["2.0.0"]),
            ("1.0.0", "2.1.0", ["2.1.0"]),  // the jump from the oldest version allowed
            ("1.4.0", "2.2.0", ["2.1.0", "2.2.0"]),  // 2.1.0's jump gets further than the 2.0 line
            ("1.0.0", "3.0.0", ["2.1.0", "2.2.0", "3.0.0"]),
            ("2.0.0", "3.0.0", ["2.1.0", "2.2.0", "3.0.0"]),  // 3.0.0 only jumps from 2.2.0 on
        ]
        for row in rows {
            let hops = try UpgradePath.hops(from: v(row.from), to: v(row.to), catalog: catalog)
            XCTAssertEqual(hops.map(\.description), row.hops, "\(row.from) → \(row.to)")
        }
    }

    func testErrors() {
        let rows: [(from: String, to: String, error: UpgradePathError, mentions: String)] = [
            ("5.2.3", "5.2.0", .downgrade(from: v("5.2.3"), to: v("5.2.0")), "downgrade"),
            ("5.3.0", "4.8.0", .downgrade(from: v("5.3.0"), to: v("4.8.0")), "downgrade"),
            ("5.2.1", "5.2.3", .sourceNotInCatalog(v("5.2.1")), "5.2.1"),
            ("5.2.3", "5.4.0", .targetNotInCatalog(v("5.4.0")), "5.4.0"),
            ("6.0.0", "6.0.0", .sourceNotInCatalog(v("6.0.0")), "catalog"),
        ]
        for row in rows {
            do {
                let hops = try UpgradePath.hops(from: v(row.from), to: v(row.to), catalog: Fixtures.fleet().releases)
                XCTFail("\(row.from) → \(row.to): expected \(row.error), got \(hops)")
            } catch {
                XCTAssertEqual(error, row.error)
                XCTAssertTrue(error.description.contains(row.mentions), error.description)
            }
        }
    }
}
