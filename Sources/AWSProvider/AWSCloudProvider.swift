import Foundation
import FleetModel

/// `CloudProvider` over AWS's HTTP APIs.
public struct AWSCloudProvider: CloudProvider {
    // TODO(helper: AWSProvider) — placeholder
    public init() {}
    public func perform(_ step: PlanStep, context: StepContext) async throws -> StepOutcome { StepOutcome() }
}
