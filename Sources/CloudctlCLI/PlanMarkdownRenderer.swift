import FleetModel

/// A plan as a pull-request comment: summary, then changes grouped by identical step lists, then what needs attention.
///
/// The summary comes first, so instances are collected (as groups of names, not steps) and written at the end.
struct PlanMarkdownRenderer {
    private var groups: [ChangeGroup] = []
    private var groupIndex: [String: Int] = [:]
    private var attention: [String] = []
    private var orphans: [String] = []
    private var tally = IntentTally()
    /// Per instance, "version 5.3.0, size small, region us-east-1": shown (and grouped by) for provisioning.
    private let provisioning: [String: String]
    /// The comment stays below this many characters (GitHub's limit is 65,536); past it, it summarizes.
    var budget = 60_000
    /// Where the whole plan is (`plan --out`), named when the comment had to leave things out.
    var fullPlanFile: String?
    /// Names listed per group at most; the rest are counted.
    static let namesShown = 200

    init(provisioning: [String: String] = [:]) {
        self.provisioning = provisioning
    }

    /// What a provisioned instance will run, from its file: "version 5.3.0, size small, region us-east-1".
    static func provisioning(_ specs: [InstanceSpec]) -> [String: String] {
        var shared: [String: String] = [:]
        var result: [String: String] = [:]
        for spec in specs {
            let text = "version \(spec.version), size \(spec.size), region \(spec.region)"
            if shared[text] == nil { shared[text] = text }
            result[spec.name] = shared[text]
        }
        return result
    }

    static func render(
        _ plan: Plan, diagnostics: [Diagnostic] = [], provisioning: [String: String] = [:], budget: Int = 60_000,
        fullPlanFile: String? = nil
    ) -> String {
        var renderer = PlanMarkdownRenderer(provisioning: provisioning)
        renderer.budget = budget
        renderer.fullPlanFile = fullPlanFile
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
            for (index, name) in names.prefix(PlanMarkdownRenderer.namesShown).enumerated() {
                output.write(index == 0 ? name : ", " + name)
            }
            if names.count > PlanMarkdownRenderer.namesShown {
                output.write(" and \(names.count - PlanMarkdownRenderer.namesShown) more")
            }
            output.write("\n\n</details>")
        }
    }

    mutating func add(_ instance: InstancePlan) {
        tally.add(instance)
        switch instance.status {
        case .planned where instance.hasChanges:
            var description = InstanceChange.list(InstanceChange.verbs(instance.changes))
            if instance.changes.contains(.provision), let what = provisioning[instance.name] {
                description += " (\(what))"
            }
            // The reviewer sees which labels change; instances with the same change stay one group.
            if instance.changes.contains(.relabel),
                let step = instance.steps.first(where: { $0.reason == .labelsChanged })
            {
                description += " (\(step.reasonText))"
            }
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
    /// Past the budget, groups and attention items are left out and counted, and the comment points at the full plan.
    func write(summary: PlanSummary, diagnostics: [Diagnostic], to output: inout some TextOutputStream) {
        var text = "### cloudctl plan\n\n" + PlanTextRenderer.summaryLine(summary, tally: tally)
        // Room for the closing note, so the whole comment stays within the budget.
        let limit = budget - 400
        var leftOut = 0
        if !groups.isEmpty {
            text += "\n\n#### Changes"
            for group in groups {
                var piece = "\n\n"
                group.write(to: &piece)
                guard leftOut == 0, text.utf8.count + piece.utf8.count <= limit else {
                    leftOut += group.names.count
                    continue
                }
                text += piece
            }
            if leftOut > 0 {
                text += "\n\n… and \(leftOut) more \(leftOut == 1 ? "instance" : "instances") with changes."
            }
        }
        let attention =
            attention
            + diagnostics.filter { !mentionsOrphan($0) }.map {
                "- \($0.severity.rawValue): " + DiagnosticsView.inline($0)
            }
        var attentionLeftOut = 0
        if !attention.isEmpty {
            text += "\n\n#### Needs attention\n"
            for line in attention {
                guard attentionLeftOut == 0, text.utf8.count + line.utf8.count + 1 <= limit else {
                    attentionLeftOut += 1
                    continue
                }
                text += "\n" + line
            }
            if attentionLeftOut > 0 { text += "\n- … and \(attentionLeftOut) more." }
        }
        if leftOut > 0 || attentionLeftOut > 0 {
            let file = fullPlanFile.map { "`\($0)` (`cloudctl show \($0)`)" } ?? "`cloudctl plan --out plan.json`"
            text += "\n\n_This comment is shortened to stay within GitHub's comment limit; the full plan: \(file)._"
        }
        output.write(text + "\n")
    }

    /// The planner also warns about each orphan; the plan's own line already says it.
    private func mentionsOrphan(_ diagnostic: Diagnostic) -> Bool {
        guard let file = diagnostic.location?.file else { return false }
        // The whole path: a suffix test would also hide the warnings of `big-acme.json` when `acme` is orphaned.
        return orphans.contains { file == "Instances/\($0).json" }
    }
}
