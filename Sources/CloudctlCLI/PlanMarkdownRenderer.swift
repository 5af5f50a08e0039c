import FleetModel

/// A plan as a pull-request comment: summary, then changes grouped by identical step lists, then what needs attention.
///
/// The summary comes first, so instances are collected (as groups of names, not steps) and written at the end.
struct PlanMarkdownRenderer {
    private var groups: [ChangeGroup] = []
    private var groupIndex: [String: Int] = [:]
    private var attention: [String] = []
    private var orphans: [String] = []

    static func render(_ plan: Plan, diagnostics: [Diagnostic] = []) -> String {
        var renderer = PlanMarkdownRenderer()
        for instance in plan.instances { renderer.add(instance) }
        var text = ""
        renderer.write(summary: plan.summary, diagnostics: diagnostics, to: &text)
        return text
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

    mutating func add(_ instance: InstancePlan) {
        switch instance.status {
        case .planned where instance.hasChanges:
            let description = InstanceChange.list(InstanceChange.verbs(instance.changes))
            let key =
                description + "|"
                + instance.steps.map { "\($0.action.rawValue) \($0.resource.rawValue)" }.joined(separator: ",")
            if let i = groupIndex[key] {
                groups[i].names.append(instance.name)
                return
            }
            var actions: [String] = []
            for step in instance.steps where !actions.contains(step.action.rawValue) {
                actions.append(step.action.rawValue)
            }
            groupIndex[key] = groups.count
            groups.append(ChangeGroup(description: description, actions: actions, names: [instance.name]))
        case .planned:
            return
        case .orphaned:
            orphans.append(instance.name)
            attention.append(
                "- **\(instance.name)** is orphaned: recorded, but there is no instance file; it is left untouched.")
        case .refused:
            attention.append("- **\(instance.name)** is refused: \(instance.refusal ?? "no reason given")")
        }
    }

    /// Writes the comment section by section (sections separated by a blank line), ending with a newline.
    func write(summary: PlanSummary, diagnostics: [Diagnostic], to output: inout some TextOutputStream) {
        output.write("### cloudctl plan\n\n" + PlanTextRenderer.summaryLine(summary))
        if !groups.isEmpty {
            output.write("\n\n#### Changes")
            for group in groups {
                output.write("\n\n")
                group.write(to: &output)
            }
        }
        let attention =
            attention
            + diagnostics.filter { !mentionsOrphan($0) }.map { "- \($0.severity.rawValue): " + Self.inline($0) }
        if !attention.isEmpty {
            output.write("\n\n#### Needs attention\n\n" + attention.joined(separator: "\n"))
        }
        output.write("\n")
    }

    /// The planner also warns about each orphan; the plan's own line already says it.
    private func mentionsOrphan(_ diagnostic: Diagnostic) -> Bool {
        guard let file = diagnostic.location?.file else { return false }
        // The whole path: a suffix test would also hide the warnings of `big-acme.json` when `acme` is orphaned.
        return orphans.contains { file == "Instances/\($0).json" }
    }

    private static func inline(_ diagnostic: Diagnostic) -> String {
        var text = (diagnostic.location.map { "`\($0.description)`: " } ?? "") + diagnostic.summary
        if let detail = diagnostic.detail, !detail.isEmpty { text += " — " + detail }
        return text
    }
}
