import Foundation
import XCTest
import FleetModel
import StateBackend
@testable import Store

final class ConcurrencyTests: XCTestCase {
    /// One instance's whole apply, as the executor does it, through `store`.
    private static func apply(_ name: String, through store: any StateBackend) async throws {
        try await store.acquireLock(instance: name, holder: "run-\(name)", lease: 60)
        let operation = try await store.beginOperation(
            instance: name, kind: "apply", holder: "run-\(name)", now: Instants.t0)
        for (index, kind) in [ResourceKind.network, .key, .bucket].enumerated() {
            let step = try await store.beginStep(
                operationId: operation, instance: name, index: index, step: .sample(.create, kind), now: Instants.t0)
            var recorded = try await store.recordedInstance(name) ?? RecordedInstance(name: name, region: "us-east-1")
            recorded.resources[kind] = RecordedResource(cloudId: "\(kind.rawValue)-\(name)", inputsHash: "h")
            try await store.saveRecorded(recorded)
            try await store.finishStep(
                step, status: .succeeded, attempts: 1, cloudId: "\(kind.rawValue)-\(name)", note: nil, error: nil,
                now: Instants.t0)
        }
        try await store.finishOperation(operation, result: .succeeded, error: nil, now: Instants.t0)
        try await store.releaseLock(instance: name, holder: "run-\(name)")
    }

    private func applyConcurrently(_ count: Int, stores: [any StateBackend]) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<count {
                group.addTask { try await Self.apply("i\(index)", through: stores[index % stores.count]) }
            }
            try await group.waitForAll()
        }
        let store = stores[0]
        let recordedInstances = try await store.recordedInstances().count
        XCTAssertEqual(recordedInstances, count)
        let recordedInstances2 = try await store.recordedInstances().allSatisfy { $0.resources.count == 3 }
        XCTAssertTrue(recordedInstances2)
        let operations = try await store.operations(instance: nil, limit: 1000)
        XCTAssertEqual(operations.count, count)
        XCTAssertTrue(
            operations.allSatisfy {
                $0.result == .succeeded && $0.steps.map(\.status) == [.succeeded, .succeeded, .succeeded]
            })
        let locks = try await store.locks()
        XCTAssertEqual(locks, [])
    }

    func testManyTasksShareOneStore() async throws {
        try await forEachBackend { database in try await applyConcurrently(50, stores: [try database.open()]) }
    }

    func testManyTasksOnTwoConnectionsToOneDatabase() async throws {
        try await forEachBackend { database in
            try await applyConcurrently(50, stores: [try database.open(), try database.open()])
        }
    }
}
