import Foundation
import Synchronization
import FleetModel

/// Records every step it is asked to perform; fails the steps it is told to.
final class FakeCloudProvider: CloudProvider {
    private let performed = Mutex<[String]>([])
    let failing: Set<ResourceKind>

    init(failing: Set<ResourceKind> = []) { self.failing = failing }

    var steps: [String] { performed.withLock { $0 } }

    func perform(_ step: PlanStep, context: StepContext) async throws -> StepOutcome {
        performed.withLock { $0.append("\(context.spec.name) \(step.action.rawValue) \(step.resource.rawValue)") }
        if failing.contains(step.resource) {
            throw CloudError(kind: .validation, operation: "fake:\(step.resource.rawValue)", code: "Broken", message: "fake failure")
        }
        return StepOutcome(cloudId: "\(step.resource.rawValue)-\(context.spec.name)")
    }
}
