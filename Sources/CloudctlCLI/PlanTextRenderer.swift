import Foundation
import FleetModel

/// Terraform-style human plan: a header per instance, one line per step, one summary line.
struct PlanTextRenderer {
    let terminal: Terminal
    /// Per instance, what the header shows in parentheses, e.g. "production, us-east-1" (from the specs, when known).
    let details: [String: String]
    /// "  + create   network       " per action and resource: built once, not for each of 900,000 step lines.
    private let stepPrefixes: [StepKind: String]
    private let disruptiveNote: String
    /// Wave names and sizes for the headers; nil prints bare "Wave N" headers.
    let waves: PlanWaves?
    /// When set, an instance whose disruptive steps fall outside its window says when the window next opens.
    let now: Date?
    private var currentWave: Int?
    /// What the instances written so far amount to, for the summary line.
    private(set) var tally = IntentTally()

    private struct StepKind: Hashable {
        var action: StepAction
        var resource: ResourceKind
    }

    init(
        terminal: Terminal = Terminal(color: false), details: [String: String] = [:], waves: PlanWaves? = nil,
        now: Date? = nil
    ) {
        self.terminal = terminal
        self.details = details
        self.waves = waves
        self.now = now
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

    static func details(for headings: [InstanceHeading]) -> [String: String] {
        // A fleet has few (type, region) pairs: one shared string per pair, not one per instance.
        var shared: [String: String] = [:]
        var details: [String: String] = [:]
        details.reserveCapacity(headings.count)
        for heading in headings where details[heading.name] == nil {
            let text = "\(heading.type.rawValue), \(heading.region)"
            if shared[text] == nil { shared[text] = text }
            details[heading.name] = shared[text]
        }
        return details
    }

    func render(_ plan: Plan) -> String {
        var text = ""
        var renderer = self
        renderer.write(plan, to: &text)
        return text
    }

    /// Writes the plan block by block (blocks separated by a blank line), ending with the summary line and no newline.
    mutating func write(_ plan: Plan, to output: inout some TextOutputStream) {
        for instance in plan.instances { write(instance, to: &output) }
        output.write(summary(plan.summary))
    }

    /// The instance's block followed by a blank line, under its wave's header when it is the wave's first block;
    /// nothing for an unchanged instance.
    mutating func write(_ instance: InstancePlan, to output: inout some TextOutputStream) {
        tally.add(instance)
        guard instance.status != .planned || instance.hasChanges else { return }
        // One known wave needs no header.
        if instance.wave != currentWave, waves.map({ $0.count > 1 }) ?? true {
            currentWave = instance.wave
            let header = waves?.header(instance.wave) ?? "Wave \(instance.wave + 1)"
            output.write(terminal.paint("── " + header, .bold) + "\n\n")
        }
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
            if let deferral = deferral(instance) { output.write("\n  " + terminal.paint(deferral, .yellow)) }
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

    /// "deferred: outside its maintenance window (…); next opens 2026-12-06 07:00 UTC" when applying now would
    /// defer it.
    private func deferral(_ instance: InstancePlan) -> String? {
        guard let now, let window = instance.target?.maintenanceWindow, instance.steps.contains(where: \.disruptive),
            !window.contains(now)
        else { return nil }
        let next = window.nextStart(after: now).map { "; next opens \(MaintenanceWindow.utcMinutes($0))" } ?? ""
        return "deferred: outside its maintenance window (\(window.day.rawValue) \(window.start) for "
            + "\(window.duration), \(window.timeZone))\(next)"
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

    /// The summary line for the instances written so far.
    func summary(_ s: PlanSummary) -> String { Self.summaryLine(s, tally: tally) }

    /// The summary line from the counts alone (the changes unknown), e.g. in messages about a saved plan's summary.
    static func summaryLine(_ s: PlanSummary) -> String { summaryLine(s, tally: IntentTally()) }

    /// "Plan: 2 to provision, 1 to upgrade, 1 to tear down (3 instances, 25 steps)." or the no-changes sentence;
    /// a plan with orphans never claims the fleet matches its files.
    static func summaryLine(_ s: PlanSummary, tally: IntentTally) -> String {
        var notes: [String] = []
        if s.orphaned > 0 { notes.append("\(s.orphaned) orphaned") }
        if s.refused > 0 { notes.append("\(s.refused) refused") }
        let untouched = notes.joined(separator: ", ") + " (left untouched)."
        guard s.hasChanges else {
            return s.orphaned > 0
                ? "No changes to apply, but the fleet does not match the instance files: " + untouched
                : "No changes. Your fleet matches the instance files." + (notes.isEmpty ? "" : " " + untouched)
        }
        let stepCount = s.create + s.update + s.delete + s.other
        let steps = "\(stepCount) \(stepCount == 1 ? "step" : "steps")"
        let instances = "\(s.instancesWithChanges) \(s.instancesWithChanges == 1 ? "instance" : "instances")"
        let changes = tally.text.isEmpty ? "changes" : tally.text
        let line =
            "Plan: \(changes) (\(instances), \(steps): \(s.create) to create, \(s.update) to update, "
            + "\(s.delete) to delete)."
        return notes.isEmpty ? line : line + " " + untouched
    }
}
