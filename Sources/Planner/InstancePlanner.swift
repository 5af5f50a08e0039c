import FleetModel

/// Plans one instance that has a file: teardown, convergence, or the problems that forbid touching it.
struct InstancePlanner {
    let spec: InstanceSpec
    let recorded: RecordedInstance?
    let fleet: Fleet
    let memo: HashedAttributesMemo
    /// Resources found drifted in the cloud (`plan --refresh`).
    var drifted: Set<ResourceKind> = []

    /// The problems `plan()` would report, skipping the steps when there can be none: every problem needs a recorded
    /// instance (region, teardown, shrink, upgrade path) or a size the fleet does not define.
    func problems() -> [InstanceProblem] {
        guard recorded != nil || fleet.tiers[spec.size] == nil else { return [] }
        return plan().problems
    }

    /// What `plan()` finds for one instance.
    struct Outcome {
        var status: InstancePlan.Status = .planned
        var list = StepList(serving: false)
        var refusal: String?
        var problems: [InstanceProblem] = []
    }

    /// Status, steps, changes and refusal of the instance plan, plus problems (each becomes an error diagnostic).
    func plan() -> Outcome {
        let resources = recorded?.resources ?? [:]
        if let recorded, !resources.isEmpty, recorded.region != spec.region {
            return Outcome(problems: [
                InstanceProblem(
                    fieldPath: "region", summary: "region changed from \(recorded.region) to \(spec.region)",
                    detail:
                        "region is fixed after creation; set it back to \"\(recorded.region)\" "
                        + "(moving an instance means a new instance and a data migration)")
            ])
        }
        if spec.state == .deleted {
            guard let recorded, !resources.isEmpty else { return Outcome() }
            // Lifting protection in the same change as the teardown would let one unreviewed edit delete customer data.
            if spec.protected || recorded.protected {
                let refusal = "protected: teardown refused"
                let detail =
                    spec.protected
                    ? "set protected to false in a reviewed change first, then set \"state\": \"deleted\""
                    : "protection must be lifted by an earlier, applied change: keep \"state\" as it was, set "
                        + "\"protected\": false and apply; then set \"state\": \"deleted\""
                return Outcome(
                    status: .refused, refusal: refusal,
                    problems: [
                        InstanceProblem(
                            fieldPath: "protected", summary: "instance \"\(spec.name)\" is protected; teardown refused",
                            detail: detail)
                    ])
            }
            return Outcome(list: Teardown.steps(recorded: recorded, fleet: fleet))
        }
        guard let tier = fleet.tiers[spec.size] else {
            return Outcome(problems: [
                InstanceProblem(
                    fieldPath: "size", summary: "unknown size \"\(spec.size)\"",
                    detail:
                        "use one of the tiers in the fleet file: \(fleet.tiers.keys.sorted().joined(separator: ", "))")
            ])
        }
        let desired = DesiredResources(spec: spec, tier: tier, fleet: fleet, memo: memo)
        switch Convergence(desired: desired, recorded: recorded, drifted: drifted).steps() {
        case .success(let list): return Outcome(list: list)
        case .failure(let list): return Outcome(problems: list.problems)
        }
    }
}
