import Foundation
import XCTest
@testable import AWSProvider

final class ResourceNamesTests: XCTestCase {
    let names = ResourceNames(fleet: "prod", instance: "acme")

    func testDerivedNames() {
        let table: [(String, String)] = [
            (names.prefix, "cloudctl-prod-acme"), (names.bucket, "cloudctl-prod-acme"), (names.archiveBucket, "cloudctl-prod-archive"),
            (names.keyAlias, "alias/cloudctl-prod-acme"), (names.secret, "cloudctl/prod/acme/database"),
            (names.database, "cloudctl-prod-acme"), (names.cluster, "cloudctl-prod-acme"), (names.taskFamily, "cloudctl-prod-acme"),
            (names.migrationFamily, "cloudctl-prod-acme-migrate"), (names.service, "app"),
            (ResourceNames.ownershipRecord(domain: "acme.example.com"), "_cloudctl.acme.example.com"),
            (names.ownershipValue, "\"cloudctl:instance=acme,cloudctl:fleet=prod\""),
        ]
        for (actual, expected) in table { XCTAssertEqual(actual, expected) }
        XCTAssertEqual(names.tags, ["cloudctl:instance": "acme", "cloudctl:fleet": "prod"])
    }

    func testLongBucketNamesAreShortenedStablyAndStayDistinct() {
        let long = ResourceNames(fleet: "Customer-Fleet", instance: String(repeating: "a", count: 39) + "b")
        let other = ResourceNames(fleet: "Customer-Fleet", instance: String(repeating: "a", count: 39) + "c")
        XCTAssertLessThanOrEqual(long.bucket.count, 63)
        XCTAssertEqual(long.bucket, long.bucket.lowercased())
        XCTAssertTrue(long.bucket.hasPrefix("cloudctl-customer-fleet-aaaa"))
        XCTAssertNotEqual(long.bucket, other.bucket)
        XCTAssertEqual(long.bucket, ResourceNames(fleet: "Customer-Fleet", instance: long.instance).bucket)
    }

    func testSnapshotIdsAreValidRDSIdentifiers() {
        let date = Date(timeIntervalSince1970: 1_800_000_000)
        let table: [(purpose: String, version: String?, expected: String)] = [
            ("pre-upgrade", "5.3.0", "cloudctl-prod-acme-pre-upgrade-5-3-0"),
            ("final", nil, "cloudctl-prod-acme-final-20270115t080000"),
        ]
        for row in table {
            let id = names.snapshotId(purpose: row.purpose, version: row.version, now: date)
            XCTAssertEqual(id, row.expected)
            XCTAssertNotNil(id.range(of: "^[a-z][a-z0-9]*(-[a-z0-9]+)*$", options: .regularExpression), id)
        }
        XCTAssertEqual(ResourceNames(fleet: "f", instance: "9x").snapshotId(purpose: "final", version: "1..2-"), "cloudctl-f-9x-final-1-2")
    }
}
