import Foundation
import XCTest
import FleetModel
@testable import Store

final class RecordedStateTests: XCTestCase {
    private let full = RecordedInstance(
        name: "acme", region: "eu-central-1", runningVersion: Version(5, 2, 3), state: .suspended,
        domain: "acme.cloud.example.com", storageGB: 50,
        resources: [
            .network: RecordedResource(cloudId: "vpc-1", inputsHash: "n1", labels: ["team": "a"]),
            .database: RecordedResource(cloudId: "db-1", inputsHash: "d1", labels: ["team": "a", "env": "prod"]),
            .dnsRecord: RecordedResource(cloudId: "Z1/acme", inputsHash: "r1"),
        ],
        network: NetworkIds(vpc: "vpc-1", subnets: ["subnet-2", "subnet-1"], securityGroup: "sg-1"))

    func testRoundTripsEveryField() async throws {
        try await forEachBackend { database in
            let store = try database.open()
            let bare = RecordedInstance(name: "bare", region: "us-east-1")
            try await store.saveRecorded(full)
            try await store.saveRecorded(bare)
            let recordedInstance = try await store.recordedInstance("acme")
            XCTAssertEqual(recordedInstance, full)
            let recordedInstance2 = try await store.recordedInstance("bare")
            XCTAssertEqual(recordedInstance2, bare)
            let recordedInstance3 = try await store.recordedInstance("missing")
            XCTAssertNil(recordedInstance3)
        }
    }

    /// A label step changes only a resource's labels: that alone is saved, and removing them all reads back as none.
    func testLabelsAloneChangeAndAreSaved() async throws {
        try await forEachBackend { database in
            let store = try database.open()
            try await store.saveRecorded(full)
            var relabelled = full
            relabelled.resources[.database]?.labels = ["team": "b"]
            relabelled.resources[.network]?.labels = [:]
            try await store.saveRecorded(relabelled)
            let read = try await store.recordedInstance("acme")
            XCTAssertEqual(read?.resources[.database]?.labels, ["team": "b"])
            XCTAssertEqual(read?.resources[.network]?.labels, [:])
            XCTAssertEqual(read, relabelled)
        }
    }

    /// A file from before migration 008, opened read-only (no migrating): readable, every resource with no labels.
    func testReadOnlyFileWithoutLabelColumnReadsNoLabels() async throws {
        let path = NSTemporaryDirectory() + "cloudctl-labels-\(UUID().uuidString).db"
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            let database = try Database(path: path)
            try Migrations.apply(Migrations.all.filter { $0.id != "008-resource-labels" }, to: database)
            _ = try database.run(
                "INSERT INTO instances (name, region, state, updated_at) VALUES ('acme', 'us-east-1', 'active', 0)")
            _ = try database.run(
                """
                INSERT INTO resources (instance, kind, cloud_id, inputs_hash, updated_at)
                VALUES ('acme', 'bucket', 'b', 'h', 0)
                """)
        }
        let reader = try SQLiteStateStore(path: path, access: .readOnly)
        let read = try await reader.recordedInstance("acme")
        XCTAssertEqual(read?.resources[.bucket], RecordedResource(cloudId: "b", inputsHash: "h"))
        // Migrating keeps the row and reads it the same.
        let writer = try SQLiteStateStore(path: path)
        let migrated = try await writer.recordedInstance("acme")
        XCTAssertEqual(migrated?.resources[.bucket], RecordedResource(cloudId: "b", inputsHash: "h"))
    }

    func testRecordedInstancesAreSortedByName() async throws {
        try await forEachBackend { database in
            let store = try database.open()
            for name in ["zeta", "acme", "midway"] {
                try await store.saveRecorded(
                    RecordedInstance(
                        name: name, region: "us-east-1",
                        resources: [.key: RecordedResource(cloudId: "k-\(name)", inputsHash: "k")]))
            }
            let recorded = try await store.recordedInstances()
            XCTAssertEqual(recorded.map(\.name), ["acme", "midway", "zeta"])
            XCTAssertEqual(recorded.map { $0.resources[.key]?.cloudId }, ["k-acme", "k-midway", "k-zeta"])
        }
    }

    func testSaveReplacesTheRowAndItsResources() async throws {
        try await forEachBackend { database in
            let store = try database.open()
            try await store.saveRecorded(full)
            var changed = full
            changed.runningVersion = nil
            changed.domain = nil
            changed.storageGB = 100
            changed.state = .active
            changed.resources[.database] = RecordedResource(cloudId: "db-1", inputsHash: "d2")
            changed.resources[.dnsRecord] = nil
            changed.resources[.service] = RecordedResource(cloudId: "svc-1", inputsHash: "s1")
            try await store.saveRecorded(changed)
            let recordedInstances = try await store.recordedInstances()
            XCTAssertEqual(recordedInstances, [changed])

            changed.resources = [:]
            try await store.saveRecorded(changed)
            let recordedInstance = try await store.recordedInstance("acme")?.resources
            XCTAssertEqual(recordedInstance, [:])
        }
    }

    func testFingerprintSurvivesTheRoundTrip() async throws {
        try await forEachBackend { database in
            let store = try database.open()
            try await store.saveRecorded(full)
            let recordedInstance = try await store.recordedInstance("acme")?.fingerprint
            XCTAssertEqual(recordedInstance, full.fingerprint)
        }
    }
}
