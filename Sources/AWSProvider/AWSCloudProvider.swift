import Foundation
import FleetModel

/// `CloudProvider` over AWS's HTTP APIs: one `AWSClient` per region, one file per service.
public final class AWSCloudProvider: CloudProvider {
    // TODO(helper: AWS services) — placeholder bodies; signatures are the contract the CLI builds on.
    /// `transport` nil means URLSession.
    public init(config: AWSConfig, transport: HTTPTransport? = nil) {}
    public func perform(_ step: PlanStep, context: StepContext) async throws -> StepOutcome { StepOutcome() }
    /// API calls made so far across regions.
    public var callCount: Int { 0 }
}
