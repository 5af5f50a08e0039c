import FleetModel

/// What a plan does to one instance, in words: derived from its steps, for headers and grouped summaries.
enum InstanceChange: Hashable {
    case provision
    case upgrade(from: String?, to: String)
    case resize
    case suspend
    case resume
    case moveDomain(to: String)
    case teardown
    case update

    /// The changes an instance's steps amount to, in a stable order.
    static func of(_ steps: [PlanStep]) -> [InstanceChange] {
        guard !steps.isEmpty else { return [] }
        if steps.contains(where: { $0.action == .delete }) { return [.teardown] }
        if steps.allSatisfy({ $0.action == .create || $0.action == .stop }) {
            return steps.contains { $0.action == .stop } ? [.provision, .suspend] : [.provision]
        }
        var changes: [InstanceChange] = []
        if let target = steps.last(where: { $0.action == .deploy })?.inputs[StepInput.version] {
            let from = steps.first(where: { $0.action == .migrate })?.inputs[StepInput.fromVersion]
            changes.append(.upgrade(from: from, to: target))
        }
        // A suspended instance that is changed gets its database started for the change and stopped again: that is
        // no suspend or resume. The planner's reasons tell the two apart (Planner/Convergence.swift).
        let resumes = steps.contains { $0.action == .start && $0.reason == "resume" }
        let startsForChange = steps.contains { $0.action == .start && $0.reason != "resume" }
        let suspends = steps.contains { $0.action == .stop } && !startsForChange
        if suspends { changes.append(.suspend) }
        if resumes { changes.append(.resume) }
        let resizes = steps.contains { step in
            step.action == .update && (step.resource == .database || step.resource == .taskDefinition
                                       || (step.resource == .service && !suspends && !resumes))
        }
        if resizes { changes.append(.resize) }
        if let domain = steps.first(where: { $0.action == .update && $0.resource == .dnsRecord })?.inputs[StepInput.domain] {
            changes.append(.moveDomain(to: domain))
        }
        return changes.isEmpty ? [.update] : changes
    }

    /// Imperative: "upgrade 5.2.3 → 5.3.0".
    var verb: String { words.verb }
    /// Passive: "upgraded 5.2.3 → 5.3.0", as in "acme will be upgraded …".
    var participle: String { words.participle }

    private var words: (verb: String, participle: String) {
        switch self {
        case .provision: ("provision", "provisioned")
        case .upgrade(let from, let to): ("upgrade \(from ?? "?") → \(to)", "upgraded \(from ?? "?") → \(to)")
        case .resize: ("resize", "resized")
        case .suspend: ("suspend", "suspended")
        case .resume: ("resume", "resumed")
        case .moveDomain(let domain): ("move to \(domain)", "moved to \(domain)")
        case .teardown: ("tear down", "torn down")
        case .update: ("update", "updated")
        }
    }

    /// "a, b and c".
    static func list(_ words: [String]) -> String {
        words.count < 2 ? words.joined() : words.dropLast().joined(separator: ", ") + " and " + words.last!
    }
}
