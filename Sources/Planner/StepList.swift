import FleetModel

/// Steps of one instance in order, with the changes they amount to; decides which steps are disruptive.
struct StepList {
    /// True when the instance has finished provisioning once: then everything but creates and DNS updates disrupts it,
    /// and so does creating the task definition (the provider rolls a running service onto it). Until then nothing
    /// serves customers, so completing a provisioning that stopped part-way disrupts no one.
    let serving: Bool
    private(set) var steps: [PlanStep] = []
    private(set) var changes: [InstanceIntent] = []

    init(serving: Bool) { self.serving = serving }

    mutating func add(
        _ action: StepAction, _ resource: ResourceKind, _ reason: StepReason,
        before: ResourceAttributes? = nil, after: HashedAttributes? = nil, detail: StepDetail? = nil,
        interruptsNothing: Bool = false
    ) {
        // Most lists hold one step per resource; growing by doubling would keep 16 slots for 9 steps on every instance.
        if steps.isEmpty { steps.reserveCapacity(ResourceKind.allCases.count) }
        // A log retention or role policy changes in place without touching a running task; `interruptsNothing` is the
        // caller's word for the same (a database's backups or protection).
        let disruptive =
            serving && (action != .create || resource == .taskDefinition)
            && !(action == .update && Self.updatedQuietly.contains(resource)) && !interruptsNothing
        steps.append(
            PlanStep(
                action: action, resource: resource, reason: reason, before: before, after: after?.attributes,
                hash: after?.hash ?? "", detail: detail, disruptive: disruptive))
    }

    /// Resources whose `update` interrupts nothing.
    private static let updatedQuietly: Set<ResourceKind> = [.dnsRecord, .logGroup, .executionRole, .taskRole]

    /// Notes a change once, in the order first seen.
    mutating func note(_ change: InstanceIntent) {
        if !changes.contains(change) { changes.append(change) }
    }
}

/// A problem with one instance's file that stops it from being planned; becomes a `Diagnostic` at `fieldPath`.
struct InstanceProblem: Hashable {
    var fieldPath: String
    var summary: String
    var detail: String
}
