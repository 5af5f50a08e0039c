import Foundation
import FleetModel

/// What a plan does to one instance, in words: the planner's typed changes rendered for headers and summaries.
enum InstanceChange {
    /// Imperative words for the changes, once each: "upgrade 5.2.3 → 5.3.0", "resize".
    static func verbs(_ changes: [InstanceIntent]) -> [String] { unique(changes.map { words($0).verb }) }

    /// Passive words, as in "acme will be upgraded 5.2.3 → 5.3.0".
    static func participles(_ changes: [InstanceIntent]) -> [String] {
        unique(changes.map { words($0).participle })
    }

    private static func unique(_ words: [String]) -> [String] {
        var seen = Set<String>()
        return words.filter { seen.insert($0).inserted }
    }

    private static func words(_ change: InstanceIntent) -> (verb: String, participle: String) {
        switch change {
        case .provision: ("provision", "provisioned")
        case .upgrade(let from, let to, _): ("upgrade \(from) → \(to)", "upgraded \(from) → \(to)")
        case .resize: ("resize", "resized")
        case .suspend: ("suspend", "suspended")
        case .resume: ("resume", "resumed")
        case .domain(_, let to): ("move to \(to)", "moved to \(to)")
        case .teardown: ("tear down", "torn down")
        case .repair: ("repair", "repaired")
        case .reconfigure: ("update", "updated")
        case .protection(true): ("protect", "protected")
        case .protection(false): ("lift protection", "unprotected")
        }
    }

    /// "a, b and c".
    static func list(_ words: [String]) -> String {
        words.count < 2 ? words.joined() : words.dropLast().joined(separator: ", ") + " and " + words.last!
    }

    /// "a, b, c and 99997 more": names in a message stay readable when a whole fleet is concerned.
    static func names(_ names: [String], shown limit: Int = 10) -> String {
        guard names.count > limit else { return list(names) }
        let rest = names.count - limit
        return names.prefix(limit).joined(separator: ", ") + " and \(rest) more"
    }
}
