import FleetModel
import ProviderAPI

/// Everything a service file needs for one step of one instance: the counted client, names, tags and inputs.
struct InstanceScope: Sendable {
    let api: StepCalls
    let step: PlanStep
    let context: StepContext
    let backoff: Backoff
    let zones: HostedZoneCache

    var names: ResourceNames { ResourceNames(fleet: context.fleet.name, instance: context.spec.name) }
    var tags: [String: String] { names.tags }
    var tagGuard: TagGuard { TagGuard(instance: context.spec.name, fleet: context.fleet.name) }
    var region: String { api.region }

    /// A required step input; a missing or malformed one is a planner bug, reported as a validation error.
    func input(_ key: String) throws -> String {
        guard let value = step.inputs[key], !value.isEmpty else {
            throw CloudError(kind: .validation, operation: "cloudctl:\(step.action.rawValue) \(step.resource.rawValue)",
                             code: "MissingInput", message: "step input '\(key)' is missing")
        }
        return value
    }

    func intInput(_ key: String) throws -> Int {
        let text = try input(key)
        guard let n = Int(text) else {
            throw CloudError(kind: .validation, operation: "cloudctl:\(step.action.rawValue) \(step.resource.rawValue)",
                             code: "InvalidInput", message: "step input '\(key)' must be a whole number, got '\(text)'")
        }
        return n
    }

    /// The tier of the instance (cpu/memory/class fall back to it when a step does not carry them).
    var tier: Tier? { context.fleet.tiers[context.spec.size] }

    /// A resource that must exist for this step is missing.
    func missing(_ what: String, operation: String) -> CloudError {
        CloudError(kind: .notFound, operation: operation, code: "NotFound", message: "\(what) does not exist; run the create step first")
    }
}
