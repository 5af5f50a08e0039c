import FleetModel
import ProviderAPI

/// How successful steps change an instance's recorded state (ARCHITECTURE.md, "What the executor records after a step
/// succeeds").
extension RecordedInstance {
    /// The record before any step of a brand-new instance succeeded: not provisioned until every step has.
    public static func new(_ name: String, for target: InstanceTarget) -> RecordedInstance {
        RecordedInstance(
            name: name, region: target.region, state: .active, provisioned: false,
            protected: target.protected)
    }

    /// Applies the effect of one successful step; `labels` are the plan's labels of the instance, which a created
    /// resource carries.
    public mutating func record(_ step: PlanStep, outcome: StepOutcome, labels: [String: String]) {
        switch step.action {
        case .update where step.reason == .labelsChanged:
            // Only the label tags changed: the attributes and their hash stay as recorded.
            if case .labels(_, let after)? = step.detail { resources[step.resource]?.labels = after }
        case .create, .update, .deploy:
            let previous = resources[step.resource]
            let cloudId = outcome.cloudId ?? previous?.cloudId ?? ""
            // Other updates and deploys leave the label tags as they were; a label change is its own step.
            resources[step.resource] = RecordedResource(
                cloudId: cloudId, inputsHash: step.inputsHash,
                attributes: step.after,
                labels: step.action == .create && step.resource.carriesLabels ? labels : previous?.labels ?? [:])
            switch step.after {
            // A deployed version runs once its health check passed: a re-apply after a failed check plans the hop
            // again (every step of it an ensure) and so checks again.
            case .taskDefinition(let t)? where step.action != .deploy: runningVersion = t.version
            case .database(let d)?: storageGB = d.storageGB
            case .dnsRecord(let r)?: domain = r.domain
            default: break
            }
        case .delete:
            resources[step.resource] = nil
        case .healthCheck:
            if case .healthCheck(let expect, _)? = step.detail { runningVersion = expect.version }
        case .snapshot, .migrate, .stop, .start:
            break  // journal only
        }
        if step.resource == .network && step.action == .delete {
            network = nil
        } else if let ids = outcome.network {
            network = ids
        }
    }

    /// Applies the end state once every step of the instance succeeded.
    public mutating func complete(as target: InstanceTarget) {
        state = target.state
        region = target.region
        protected = target.protected
        provisioned = true
        if state == .deleted {
            // Nothing runs any more: a version, storage size or domain would describe resources that are gone.
            resources = [:]
            runningVersion = nil
            storageGB = nil
            domain = nil
            network = nil
        }
    }
}
