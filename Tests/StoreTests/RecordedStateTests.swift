import Foundation
import XCTest
import FleetModel
@testable import Store

final class RecordedStateTests: XCTestCase {
    private let full = RecordedInstance(
        name: "acme", region: "eu-central-1", runningVersion: Version(5, 2, 3), state: .suspended,
        domain: "acme.cloud.example.com", storageGB: 50,
        resources: [.network: RecordedResource(cloudId: "vpc-1", inputsHash: "n1"),
                    .database: RecordedResource(cloudId: "db-1", inputsHash: "d1"),
                    .dnsRecord: RecordedResource(cloudId: "Z1/acme", inputsHash: "r1")])

    func testRoundTripsEveryField() throws {
        let store = try makeStore()
        let bare = RecordedInstance(name: "bare", region: "us-east-1")
        try store.saveRecorded(full)
        try store.saveRecorded(bare)
        XCTAssertEqual(try store.recordedInstance("acme"), full)
        XCTAssertEqual(try store.recordedInstance("bare"), bare)
        XCTAssertNil(try store.recordedInstance("missing"))
    }

    func testRecordedInstancesAreSortedByName() throws {
        let store = try makeStore()
        for name in ["zeta", "acme", "midway"] {
            try store.saveRecorded(RecordedInstance(name: name, region: "us-east-1",
                                                    resources: [.key: RecordedResource(cloudId: "k-\(name)", inputsHash: "k")]))
        }
        let recorded = try store.recordedInstances()
        XCTAssertEqual(recorded.map(\.name), ["acme", "midway", "zeta"])
        XCTAssertEqual(recorded.map { $0.resources[.key]?.cloudId }, ["k-acme", "k-midway", "k-zeta"])
    }

    func testSaveReplacesTheRowAndItsResources() throws {
        let store = try makeStore()
        try store.saveRecorded(full)
        var changed = full
        changed.runningVersion = nil
        changed.domain = nil
        changed.storageGB = 100
        changed.state = .active
        changed.resources[.database] = RecordedResource(cloudId: "db-1", inputsHash: "d2")
        changed.resources[.dnsRecord] = nil
        changed.resources[.service] = RecordedResource(cloudId: "svc-1", inputsHash: "s1")
        try store.saveRecorded(changed)
        XCTAssertEqual(try store.recordedInstances(), [changed])

        changed.resources = [:]
        try store.saveRecorded(changed)
        XCTAssertEqual(try store.recordedInstance("acme")?.resources, [:])
    }

    func testFingerprintSurvivesTheRoundTrip() throws {
        let store = try makeStore()
        try store.saveRecorded(full)
        XCTAssertEqual(try store.recordedInstance("acme")?.fingerprint, full.fingerprint)
    }
}
