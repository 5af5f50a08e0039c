import FleetModel

/// Steps of one instance in order; decides which are disruptive.
struct StepList {
    /// True when the instance already has resources: then everything but creates and DNS updates disrupts it, and so
    /// does creating the task definition (the provider rolls a running service onto it).
    let instanceExists: Bool
    private(set) var steps: [PlanStep] = []

    init(instanceExists: Bool) { self.instanceExists = instanceExists }

    mutating func add(_ action: StepAction, _ resource: ResourceKind, _ reason: String, inputs: [String: String], inputsHash: String) {
        // Most lists hold one step per resource; growing by doubling would keep 16 slots for 9 steps on every instance.
        if steps.isEmpty { steps.reserveCapacity(ResourceKind.allCases.count) }
        let disruptive = instanceExists && (action != .create || resource == .taskDefinition) && !(action == .update && resource == .dnsRecord)
        steps.append(PlanStep(action: action, resource: resource, reason: reason, inputs: inputs, inputsHash: inputsHash, disruptive: disruptive))
    }
}

/// A problem with one instance's file that stops it from being planned; becomes a `Diagnostic` at `fieldPath`.
struct InstanceProblem: Hashable {
    var fieldPath: String
    var summary: String
    var detail: String
}
