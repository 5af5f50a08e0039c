import XCTest
import FleetModel
import ProviderAPI
@testable import AWSProvider

final class TagGuardTests: XCTestCase {
    let tagGuard = TagGuard(instance: "acme", fleet: "prod")

    /// Instance resources: only this instance of this fleet passes; untagged ones are not adopted either.
    func testOnlyThisInstanceAndFleetPass() {
        let table: [(tags: [String: String], allowed: Bool, adoptionHint: Bool)] = [
            (["cloudctl:instance": "acme", "cloudctl:fleet": "prod"], true, false),
            (["cloudctl:instance": "acme", "cloudctl:fleet": "prod", "team": "x"], true, false),
            (["cloudctl:instance": "globex", "cloudctl:fleet": "prod"], false, false),
            (["cloudctl:instance": "acme", "cloudctl:fleet": "staging"], false, false),
            (["cloudctl:instance": "acme"], false, false),
            (["cloudctl:fleet": "prod"], false, false),
            ([:], false, true),
            (["team": "data"], false, true),
        ]
        for row in table {
            do {
                try tagGuard.check(row.tags, resource: "bucket x", operation: "s3:GetBucketTagging")
                XCTAssertTrue(row.allowed, "\(row.tags) should be refused")
            } catch let error as CloudError {
                XCTAssertFalse(row.allowed, "\(row.tags) should pass")
                XCTAssertEqual(error.kind, .foreignResource)
                XCTAssertEqual(error.code, "foreign-resource")
                XCTAssertFalse(error.isRetryable)
                XCTAssertEqual(
                    error.message.contains("tag it cloudctl:fleet=prod and cloudctl:instance=acme by hand"),
                    row.adoptionHint, error.message)
            } catch { XCTFail("unexpected \(error)") }
        }
    }

    /// Fleet resources (archive bucket and key): the fleet tag and no instance tag.
    func testFleetResourcesNeedTheFleetTagAlone() {
        let table: [(tags: [String: String], allowed: Bool)] = [
            (["cloudctl:fleet": "prod"], true),
            (["cloudctl:fleet": "prod", "team": "x"], true),
            (["cloudctl:fleet": "staging"], false),
            (["cloudctl:fleet": "prod", "cloudctl:instance": "acme"], false),
            ([:], false),
        ]
        for row in table {
            XCTAssertEqual(
                (try? tagGuard.checkFleet(row.tags, resource: "archive bucket a", operation: "op")) != nil, row.allowed,
                "\(row.tags)")
        }
        XCTAssertThrowsError(try tagGuard.checkFleet([:], resource: "archive bucket a", operation: "op")) {
            XCTAssertTrue(String(describing: $0).contains("tag it cloudctl:fleet=prod by hand"), "\($0)")
        }
    }

    func testMessageNamesTheOwner() {
        XCTAssertThrowsError(
            try tagGuard.check(
                ["cloudctl:instance": "globex", "cloudctl:fleet": "prod"], resource: "bucket b", operation: "op")
        ) {
            let message = ($0 as? CloudError)?.message ?? ""
            XCTAssertTrue(
                message.contains("bucket b") && message.contains("'globex'")
                    && message.contains("cloudctl:instance=acme"), message)
        }
    }
}
