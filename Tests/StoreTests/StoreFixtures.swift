import Foundation
import XCTest
import FleetModel
@testable import Store

extension XCTestCase {
    /// A fresh database path in a not-yet-existing directory, removed after the test.
    func temporaryDatabasePath() -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "cloudctl-store-\(UUID().uuidString)")
        addTeardownBlock { try? FileManager.default.removeItem(at: directory) }
        return directory.appendingPathComponent("nested/state.db").path
    }

    func makeStore() throws -> SQLiteStateStore {
        try SQLiteStateStore(path: temporaryDatabasePath())
    }
}

/// Fixed instants so expectations do not depend on the clock.
enum Instants {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    static func at(_ seconds: TimeInterval) -> Date { t0.addingTimeInterval(seconds) }
}

extension PlanStep {
    static func sample(_ action: StepAction = .create, _ resource: ResourceKind = .network, hash: String = "h")
        -> PlanStep
    {
        var step = PlanStep(action: action, resource: resource, reason: .teardown)
        step.inputsHash = hash
        return step
    }
}
