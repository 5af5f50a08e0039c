import FleetModel

/// Terraform-style human plan: a header per instance, one line per step, one summary line.
struct PlanTextRenderer {
    let terminal: Terminal
    /// Per instance, what the header shows in parentheses, e.g. "production, us-east-1" (from the specs, when known).
    let details: [String: String]
    /// "  + create   network       " per action and resource: built once, not for each of 900,000 step lines.
    private let stepPrefixes: [StepKind: String]
    private let disruptiveNote: String

    private struct StepKind: Hashable {
        var action: StepAction
        var resource: ResourceKind
    }

    init(terminal: Terminal = Terminal(color: false), details: [String: String] = [:]) {
        self.terminal = terminal
        self.details = details
        var prefixes: [StepKind: String] = [:]
        for action in StepAction.allCases {
            for resource in ResourceKind.allCases {
                prefixes[StepKind(action: action, resource: resource)] = Self.stepPrefix(
                    action, resource, terminal: terminal)
            }
        }
        stepPrefixes = prefixes
        disruptiveNote = terminal.paint(" (maintenance window)", .dim)
    }

    static func details(for specs: [InstanceSpec]) -> [String: String] {
        // A fleet has few (type, region) pairs: one shared string per pair, not one per instance.
        var shared: [String: String] = [:]
        var details: [String: String] = [:]
        details.reserveCapacity(specs.count)
        for spec in specs where details[spec.name] == nil {
            let text = "\(spec.type.rawValue), \(spec.region)"
            if shared[text] == nil { shared[text] = text }
            details[spec.name] = shared[text]
        }
        return details
    }

    func render(_ plan: Plan) -> String {
        var text = ""
        write(plan, to: &text)
        return text
    }

    /// Writes the plan block by block (blocks separated by a blank line), ending with the summary line and no newline.
    func write(_ plan: Plan, to output: inout some TextOutputStream) {
        for instance in plan.instances { write(instance, to: &output) }
        output.write(Self.summaryLine(plan.summary))
    }

    /// The instance's block followed by a blank line; nothing for an unchanged instance.
    func write(_ instance: InstancePlan, to output: inout some TextOutputStream) {
        switch instance.status {
        case .planned where instance.hasChanges:
            output.write(header(instance))
            for step in instance.steps {
                output.write("\n")
                output.write(stepPrefixes[StepKind(action: step.action, resource: step.resource)]!)
                output.write(step.reasonText)
                if step.disruptive { output.write(disruptiveNote) }
            }
            if instance.steps.isEmpty { output.write("\n  no cloud call: apply records it") }
            output.write("\n\n")
        case .planned:
            return
        case .orphaned:
            output.write(
                terminal.paint(name(instance) + " is orphaned", .magenta)
                    + "\n  Recorded, but there is no instance file; it is left untouched.\n\n")
        case .refused:
            output.write(
                terminal.paint(name(instance) + " is refused", .red) + "\n  " + (instance.refusal ?? "No reason given.")
                    + "\n\n")
        }
    }

    private func name(_ instance: InstancePlan) -> String {
        instance.name + (details[instance.name].map { " (\($0))" } ?? "")
    }

    private func header(_ instance: InstancePlan) -> String {
        let changes = InstanceChange.list(InstanceChange.participles(instance.changes))
        return terminal.paint(name(instance), .bold) + " will be " + changes
    }

    private static let actionWidth = StepAction.allCases.map(\.rawValue.count).max()!
    private static let resourceWidth = ResourceKind.allCases.map(\.rawValue.count).max()!

    private static func stepPrefix(_ action: StepAction, _ resource: ResourceKind, terminal: Terminal) -> String {
        let style: Terminal.Style =
            switch action {
            case .create: .green
            case .delete: .red
            case .update, .stop, .start: .yellow
            default: .cyan
            }
        return "  " + terminal.paint("\(action.symbol) \(padded(action.rawValue, actionWidth))", style)
            + " \(padded(resource.rawValue, resourceWidth))  "
    }

    /// Foundation's `padding(toLength:)` bridges through NSString, which dominated rendering large plans.
    private static func padded(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    /// "Plan: 9 to create, 2 to update, 0 to delete, 5 other steps across 3 instances." or the no-changes sentence.
    static func summaryLine(_ s: PlanSummary) -> String {
        var line =
            s.hasChanges
            ? "Plan: \(s.create) to create, \(s.update) to update, \(s.delete) to delete, "
                + "\(s.other) other \(s.other == 1 ? "step" : "steps")"
                + " across \(s.instancesWithChanges) \(s.instancesWithChanges == 1 ? "instance" : "instances")."
            : "No changes. Your fleet matches the instance files."
        var notes: [String] = []
        if s.orphaned > 0 { notes.append("\(s.orphaned) orphaned") }
        if s.refused > 0 { notes.append("\(s.refused) refused") }
        if !notes.isEmpty { line += " " + notes.joined(separator: ", ") + " (left untouched)." }
        return line
    }
}
