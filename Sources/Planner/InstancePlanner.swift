import FleetModel

/// Plans one instance that has a file: teardown, convergence, or the problems that forbid touching it.
struct InstancePlanner {
    let spec: InstanceSpec
    let recorded: RecordedInstance?
    let fleet: Fleet
    let memo: HashedInputsMemo

    /// The problems `plan()` would report, skipping the steps when there can be none: every problem needs a recorded
    /// instance (region, teardown, shrink, upgrade path) or a size the fleet does not define.
    func problems() -> [InstanceProblem] {
        guard recorded != nil || fleet.tiers[spec.size] == nil else { return [] }
        return plan().problems
    }

    /// Status, steps and refusal of the instance plan, plus problems (each becomes an error diagnostic).
    func plan() -> (status: InstancePlan.Status, steps: [PlanStep], refusal: String?, problems: [InstanceProblem]) {
        let resources = recorded?.resources ?? [:]
        if let recorded, !resources.isEmpty, recorded.region != spec.region {
            return (.planned, [], nil, [InstanceProblem(
                fieldPath: "region", summary: "region changed from \(recorded.region) to \(spec.region)",
                detail: "region is fixed after creation; set it back to \"\(recorded.region)\" (moving an instance means a new instance and a data migration)")])
        }
        if spec.state == .deleted {
            guard let recorded, !resources.isEmpty else { return (.planned, [], nil, []) }
            if spec.protected {
                let refusal = "protected: teardown refused"
                return (.refused, [], refusal, [InstanceProblem(
                    fieldPath: "protected", summary: "instance \"\(spec.name)\" is protected; teardown refused",
                    detail: "set protected to false in a reviewed change first, then set \"state\": \"deleted\"")])
            }
            return (.planned, Teardown.steps(recorded: recorded, fleet: fleet), nil, [])
        }
        guard let tier = fleet.tiers[spec.size] else {
            return (.planned, [], nil, [InstanceProblem(
                fieldPath: "size", summary: "unknown size \"\(spec.size)\"",
                detail: "use one of the tiers in the fleet file: \(fleet.tiers.keys.sorted().joined(separator: ", "))")])
        }
        switch Convergence(desired: DesiredResources(spec: spec, tier: tier, fleet: fleet, memo: memo), recorded: recorded).steps() {
        case .success(let steps): return (.planned, steps, nil, [])
        case .failure(let list): return (.planned, [], nil, list.problems)
        }
    }
}
