import XCTest
import FleetModel
import ProviderAPI
@testable import AWSProvider

final class TagGuardTests: XCTestCase {
    let tagGuard = TagGuard(instance: "acme", fleet: "prod")

    func testOnlyThisInstanceAndFleetPass() {
        let table: [(tags: [String: String], adoptUntagged: Bool, allowed: Bool)] = [
            (["cloudctl:instance": "acme", "cloudctl:fleet": "prod"], false, true),
            (["cloudctl:instance": "acme", "cloudctl:fleet": "prod", "team": "x"], false, true),
            (["cloudctl:instance": "globex", "cloudctl:fleet": "prod"], false, false),
            (["cloudctl:instance": "acme", "cloudctl:fleet": "staging"], false, false),
            (["cloudctl:instance": "acme"], false, false),
            ([:], false, false),
            ([:], true, true),
            (["cloudctl:instance": "globex"], true, false),
            (["cloudctl:fleet": "prod"], true, false),
            (["team": "data"], true, false), // someone else's bucket: only a bucket without any tags is adopted
        ]
        for row in table {
            do {
                try tagGuard.check(row.tags, resource: "bucket x", operation: "s3:GetBucketTagging", adoptUntagged: row.adoptUntagged)
                XCTAssertTrue(row.allowed, "\(row.tags) should be refused")
            } catch let error as CloudError {
                XCTAssertFalse(row.allowed, "\(row.tags) should pass")
                XCTAssertEqual(error.kind, .foreignResource)
                XCTAssertFalse(error.isRetryable)
            } catch { XCTFail("unexpected \(error)") }
        }
    }

    func testMessageNamesTheOwner() {
        XCTAssertThrowsError(try tagGuard.check(["cloudctl:instance": "globex", "cloudctl:fleet": "prod"], resource: "bucket b", operation: "op")) {
            let message = ($0 as? CloudError)?.message ?? ""
            XCTAssertTrue(message.contains("bucket b") && message.contains("'globex'") && message.contains("'acme'"), message)
        }
    }
}
