import FleetModel

/// A plan as a pull-request comment: summary, then changes grouped by identical step lists, then what needs attention.
enum PlanMarkdownRenderer {
    static func render(_ plan: Plan, diagnostics: [Diagnostic] = []) -> String {
        var sections = ["### cloudctl plan", PlanTextRenderer.summaryLine(plan.summary)]
        let groups = changeGroups(plan)
        if !groups.isEmpty {
            sections.append("#### Changes")
            sections += groups.map(\.markdown)
        }
        let attention = plan.instances.compactMap { instance -> String? in
            switch instance.status {
            case .planned: nil
            case .orphaned: "- **\(instance.name)** is orphaned: recorded, but there is no instance file; it is left untouched."
            case .refused: "- **\(instance.name)** is refused: \(instance.refusal ?? "no reason given")"
            }
        } + diagnostics.filter { !mentionsOrphan($0, plan) }.map { "- \($0.severity.rawValue): " + inline($0) }
        if !attention.isEmpty {
            sections.append("#### Needs attention")
            sections.append(attention.joined(separator: "\n"))
        }
        return sections.joined(separator: "\n\n") + "\n"
    }

    /// Instances whose steps are identical (action and resource, in order) share one group.
    struct ChangeGroup {
        var description: String
        var actions: [String]
        var names: [String]

        var markdown: String {
            let who = names.count == 1 ? "**\(names[0])**" : "**\(names.count) instances**"
            var text = "\(who): \(description) (\(actions.joined(separator: ", ")))"
            if names.count > 1 {
                text += "\n<details><summary>Instances</summary>\n\n" + names.joined(separator: ", ") + "\n\n</details>"
            }
            return text
        }
    }

    static func changeGroups(_ plan: Plan) -> [ChangeGroup] {
        var groups: [ChangeGroup] = []
        var index: [String: Int] = [:]
        for instance in plan.instances where instance.status == .planned && !instance.steps.isEmpty {
            let description = InstanceChange.list(InstanceChange.of(instance.steps).map(\.verb))
            let key = description + "|" + instance.steps.map { "\($0.action.rawValue) \($0.resource.rawValue)" }.joined(separator: ",")
            if let i = index[key] { groups[i].names.append(instance.name); continue }
            var actions: [String] = []
            for step in instance.steps where !actions.contains(step.action.rawValue) { actions.append(step.action.rawValue) }
            index[key] = groups.count
            groups.append(ChangeGroup(description: description, actions: actions, names: [instance.name]))
        }
        return groups
    }

    /// The planner also warns about each orphan; the plan's own line already says it.
    private static func mentionsOrphan(_ diagnostic: Diagnostic, _ plan: Plan) -> Bool {
        guard let file = diagnostic.location?.file else { return false }
        return plan.instances.contains { $0.status == .orphaned && file.hasSuffix("\($0.name).json") }
    }

    private static func inline(_ diagnostic: Diagnostic) -> String {
        var text = (diagnostic.location.map { "`\($0.description)`: " } ?? "") + diagnostic.summary
        if let detail = diagnostic.detail, !detail.isEmpty { text += " — " + detail }
        return text
    }
}
