import Foundation
import XCTest
import StateBackend
import TestSupport
import FleetModel
@testable import Store

/// The fleet page's batched journal read answers what the per-instance reads answer, on both backends.
final class BatchHistoryTests: XCTestCase {
    func testBatchHistoriesMatchPerInstanceReads() async throws {
        try await forEachBackend { database in
            let store = try database.open()
            XCTAssertTrue(store is any BatchHistoryReading, "\(database.kind) reads the page's journal in a batch")
            // Operations of two instances interleaved, steps journaled out of index order, one failure.
            for (offset, instance) in ["acme", "beta", "acme", "acme", "beta"].enumerated() {
                let operation = try await store.beginOperation(
                    instance: instance, kind: "apply", holder: "run-\(offset)", now: Instants.at(Double(offset)))
                for index in [1, 0, 2] {
                    let step = try await store.beginStep(
                        operationId: operation, instance: instance, index: index, step: .sample(),
                        now: Instants.at(Double(offset)))
                    let failed = offset == 3 && index == 2
                    try await store.finishStep(
                        step, status: failed ? .failed : .succeeded, attempts: index + 1, cloudId: "vpc-\(instance)",
                        note: "n", error: failed ? "boom" : nil, now: Instants.at(Double(offset) + 0.25))
                }
                try await store.finishOperation(
                    operation, result: offset == 3 ? .failed : .succeeded, error: offset == 3 ? "boom" : nil,
                    now: Instants.at(Double(offset) + 0.5))
            }
            let names = ["acme", "beta", "nobody"]
            let cases: [(operations: Int, steps: Int)] = [(20, 20), (2, 4), (1, 1), (0, 0)]
            for (operationLimit, stepLimit) in cases {
                let label = "\(database.kind) operations \(operationLimit) steps \(stepLimit)"
                let batch = try await store.histories(names, operations: operationLimit, steps: stepLimit)
                XCTAssertEqual(batch.keys.sorted(), names, label)
                for name in names {
                    // The batch leaves out what the page does not show: each operation's steps and run, and some step
                    // fields.
                    let operations = try await store.operations(instance: name, limit: operationLimit).map {
                        var operation = $0
                        operation.steps = []
                        operation.run = nil
                        return operation
                    }
                    let steps = try await store.recentSteps(instance: name, limit: stepLimit).map(\.asReadForThePage)
                    XCTAssertEqual(batch[name]?.operations, operations, "\(label) \(name)")
                    XCTAssertEqual(batch[name]?.steps, steps, "\(label) \(name)")
                }
            }
            let acme = try await store.histories(["acme"], operations: 2, steps: 4)["acme"]
            XCTAssertEqual(acme?.operations.map(\.holder), ["run-3", "run-2"])
            XCTAssertEqual(acme?.operations.first?.error, "boom")
            XCTAssertEqual(acme?.steps.map(\.index), [2, 0, 1, 2])
            XCTAssertEqual(acme?.steps.first?.error, "boom")
            XCTAssertEqual(acme?.steps.first?.finishedAt, Instants.at(3.25))
        }
    }
}
