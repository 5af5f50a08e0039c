import FleetModel

/// A plan as a pull-request comment: summary, then changes grouped by identical step lists, then what needs attention.
enum PlanMarkdownRenderer {
    static func render(_ plan: Plan, diagnostics: [Diagnostic] = []) -> String {
        var text = ""
        write(plan, diagnostics: diagnostics, to: &text)
        return text
    }

    /// Writes the comment section by section (sections separated by a blank line), ending with a newline.
    static func write(_ plan: Plan, diagnostics: [Diagnostic] = [], to output: inout some TextOutputStream) {
        output.write("### cloudctl plan\n\n" + PlanTextRenderer.summaryLine(plan.summary))
        let groups = changeGroups(plan)
        if !groups.isEmpty {
            output.write("\n\n#### Changes")
            for group in groups { output.write("\n\n"); group.write(to: &output) }
        }
        let attention = plan.instances.compactMap { instance -> String? in
            switch instance.status {
            case .planned: nil
            case .orphaned: "- **\(instance.name)** is orphaned: recorded, but there is no instance file; it is left untouched."
            case .refused: "- **\(instance.name)** is refused: \(instance.refusal ?? "no reason given")"
            }
        } + diagnostics.filter { !mentionsOrphan($0, plan) }.map { "- \($0.severity.rawValue): " + inline($0) }
        if !attention.isEmpty {
            output.write("\n\n#### Needs attention\n\n" + attention.joined(separator: "\n"))
        }
        output.write("\n")
    }

    /// Instances whose steps are identical (action and resource, in order) share one group.
    struct ChangeGroup {
        var description: String
        var actions: [String]
        var names: [String]

        func write(to output: inout some TextOutputStream) {
            let who = names.count == 1 ? "**\(names[0])**" : "**\(names.count) instances**"
            output.write("\(who): \(description) (\(actions.joined(separator: ", ")))")
            guard names.count > 1 else { return }
            output.write("\n<details><summary>Instances</summary>\n\n")
            for (index, name) in names.enumerated() { output.write(index == 0 ? name : ", " + name) }
            output.write("\n\n</details>")
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
