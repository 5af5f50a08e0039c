import Foundation
import XCTest
import FleetModel
import StateBackend
import TestSupport
@testable import Executor

/// The gate hook between waves: asked only after an earlier wave of the apply ran; what it holds is not started.
final class ExecutorWaveGateTests: XCTestCase {
    func testAClosedGateHoldsTheNextWave() async throws {
        struct Case {
            var name: String
            var plans: [InstancePlan]
            /// What the hook answers for the instances it is asked about.
            var held: [String: String]
            var asked: [Int]
            var results: [String: OperationResult]
        }
        let cases = [
            Case(
                name: "closed gate holds wave 1",
                plans: [Plans.provision("a", wave: 0), Plans.provision("b", wave: 1)],
                held: ["b": "wave internal: bake 31h of 48h left"], asked: [1],
                results: ["a": .succeeded, "b": .cancelled]),
            Case(
                name: "open gate", plans: [Plans.provision("a", wave: 0), Plans.provision("b", wave: 1)], held: [:],
                asked: [1], results: ["a": .succeeded, "b": .succeeded]),
            Case(
                name: "first wave of the apply is never asked", plans: [Plans.provision("b", wave: 1)],
                held: ["b": "closed"], asked: [], results: ["b": .succeeded]),
        ]
        for testCase in cases {
            let harness = try ExecutorHarness()
            let asked = Locked<[Int]>([])
            let held = testCase.held
            harness.options.waveGate = { wave, plans in
                asked.mutate { $0.append(wave) }
                return held.filter { name, _ in plans.contains { $0.name == name } }
            }
            let report = await harness.apply(testCase.plans)
            XCTAssertEqual(asked.current, testCase.asked, testCase.name)
            XCTAssertEqual(
                Dictionary(uniqueKeysWithValues: report.instances.map { ($0.name, $0.result) }), testCase.results,
                testCase.name)
            for (name, reason) in held where testCase.results[name] == .cancelled {
                let error = report.instances.first { $0.name == name }?.error
                XCTAssertEqual(error, "not started: \(reason)", testCase.name)
                let operation = try await harness.store.lastOperation(instance: name)
                XCTAssertNil(operation, "a held instance leaves nothing in the journal")
            }
        }
    }
}
