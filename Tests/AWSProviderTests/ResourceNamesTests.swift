import Foundation
import XCTest
@testable import AWSProvider

final class ResourceNamesTests: XCTestCase {
    let names = ResourceNames(fleet: "prod", instance: "acme")

    func testDerivedNames() {
        let table: [(String, String)] = [
            (names.prefix, "cloudctl-prod-acme"), (names.bucket, "cloudctl-prod-acme"),
            (names.archiveBucket(region: "eu-west-1"), "cloudctl-prod-archive-eu-west-1"),
            (names.keyAlias, "alias/cloudctl-prod-acme"), (names.secret, "cloudctl/prod/acme/database"),
            (names.database, "cloudctl-prod-acme"), (names.cluster, "cloudctl-prod-acme"),
            (names.taskFamily, "cloudctl-prod-acme"),
            (names.migrationFamily, "cloudctl-prod-acme--migrate"),
            (ResourceNames(fleet: "prod", instance: "acme-migrate").taskFamily, "cloudctl-prod-acme-migrate"),
            (ResourceNames.migrationStartedBy(version: "5.3.0-rc.1+b7"), "cloudctl-migrate-5-3-0-rc-1-b7"),
            (names.service, "app"),
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
        let table: [(purpose: String, suffix: String, expected: String)] = [
            ("pre-upgrade", "5.3.0", "cloudctl-prod-acme-pre-upgrade-5-3-0"),
            (
                "final", ResourceNames.stamp(iso8601: "2027-01-15T08:00:00.123456Z"),
                "cloudctl-prod-acme-final-20270115t080000"
            ),
            (
                "final", ResourceNames.stamp(iso8601: "2026-11-21 20:06:37.565141+00:00"),
                "cloudctl-prod-acme-final-20261121t200637"
            ),
        ]
        for row in table {
            let id = names.snapshotId(purpose: row.purpose, suffix: row.suffix)
            XCTAssertEqual(id, row.expected)
            XCTAssertNotNil(id.range(of: "^[a-z][a-z0-9]*(-[a-z0-9]+)*$", options: .regularExpression), id)
        }
        XCTAssertEqual(
            ResourceNames(fleet: "f", instance: "9x").snapshotId(purpose: "final", suffix: "1..2-"),
            "cloudctl-f-9x-final-1-2")
    }

    func testArchiveBucketFitsS3ForTheLongestFleetNameAndRegion() {
        let longest = ResourceNames(fleet: String(repeating: "f", count: 30), instance: "a").archiveBucket(
            region: "ap-southeast-4")
        XCTAssertEqual(
            longest, "cloudctl-\(String(repeating: "f", count: 30))-archive-ap-southeast-4", "not shortened by a hash")
        XCTAssertLessThanOrEqual(longest.count, 63)
    }
}
