import FleetModel
import ProviderAPI

/// How successful steps change an instance's recorded state (ARCHITECTURE.md, "What the executor records after a step succeeds").
extension RecordedInstance {
    /// The record before any step of a brand-new instance succeeded.
    static func new(for spec: InstanceSpec) -> RecordedInstance {
        RecordedInstance(name: spec.name, region: spec.region, state: .active)
    }

    /// Applies the effect of one successful step.
    mutating func record(_ step: PlanStep, outcome: StepOutcome) {
        switch step.action {
        case .create, .update, .deploy:
            let cloudId = outcome.cloudId ?? resources[step.resource]?.cloudId ?? ""
            resources[step.resource] = RecordedResource(cloudId: cloudId, inputsHash: step.inputsHash)
            switch step.resource {
            case .taskDefinition:
                if let version = step.inputs[StepInput.version].flatMap(Version.init) { runningVersion = version }
            case .database:
                if let storage = step.inputs[StepInput.storageGB].flatMap({ Int($0) }) { storageGB = storage }
            case .dnsRecord:
                if let newDomain = step.inputs[StepInput.domain] { domain = newDomain }
            default:
                break
            }
        case .delete:
            resources[step.resource] = nil
        case .snapshot, .migrate, .healthCheck, .stop, .start:
            break  // journal only
        }
    }

    /// Applies the end state once every step of the instance succeeded.
    mutating func complete(as spec: InstanceSpec) {
        state = spec.state
        region = spec.region
        if state == .deleted {
            // Nothing runs any more: a version, storage size or domain would describe resources that are gone.
            resources = [:]
            runningVersion = nil
            storageGB = nil
            domain = nil
        }
    }
}
