import Foundation
import FleetModel
import Planner

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
        case .relabel: ("relabel", "relabeled")
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

/// How many instances a plan provisions, upgrades, resizes…: the summary line counts changes, not steps.
struct IntentTally: Sendable, Equatable {
    /// The kinds in the order the summary names them, with the words it uses ("2 to provision").
    enum Kind: Int, CaseIterable, Comparable {
        case provision, upgrade, resize, suspend, resume, move, teardown, repair, reconfigure, protect, unprotect,
            relabel

        init(_ intent: InstanceIntent) {
            switch intent {
            case .provision: self = .provision
            case .upgrade: self = .upgrade
            case .resize: self = .resize
            case .suspend: self = .suspend
            case .resume: self = .resume
            case .domain: self = .move
            case .teardown: self = .teardown
            case .repair: self = .repair
            case .reconfigure: self = .reconfigure
            case .protection(let on): self = on ? .protect : .unprotect
            case .relabel: self = .relabel
            }
        }

        var words: String {
            switch self {
            case .provision: "to provision"
            case .upgrade: "to upgrade"
            case .resize: "to resize"
            case .suspend: "to suspend"
            case .resume: "to resume"
            case .move: "to move"
            case .teardown: "to tear down"
            case .repair: "to repair"
            case .reconfigure: "to update"
            case .protect: "to protect"
            case .unprotect: "to lift protection"
            case .relabel: "to relabel"
            }
        }

        static func < (a: Kind, b: Kind) -> Bool { a.rawValue < b.rawValue }
    }

    private(set) var counts: [Kind: Int] = [:]

    /// Counts each kind of change once per instance (an upgrade of three hops is one upgrade).
    mutating func add(_ instance: InstancePlan) {
        guard instance.status == .planned else { return }
        for kind in Set(instance.changes.map(Kind.init)) { counts[kind, default: 0] += 1 }
    }

    /// "2 to provision, 1 to upgrade, 1 to tear down"; "" when nothing changes.
    var text: String {
        counts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key.words)" }.joined(separator: ", ")
    }
}

/// The rollout waves of the instances a plan covers, for the "Wave 1/3 — internal (2 instances)" headers.
struct PlanWaves: Sendable {
    struct Wave: Sendable {
        /// The wave's names in the channels that have instances in it, e.g. "internal" or "all, internal".
        var name: String
        var instances: Int
    }

    var waves: [Int: Wave]
    /// Number of waves: one more than the last wave index with instances.
    var count: Int { (waves.keys.max() ?? 0) + 1 }

    /// Orphans (recorded, no file) are planned in the first wave.
    init(headings: [InstanceHeading], fleet: Fleet?, orphans: Int = 0, selection: Set<String>? = nil) {
        var names: [Int: Set<String>] = [:]
        var counts: [Int: Int] = [:]
        for heading in headings where selection?.contains(heading.name) ?? true {
            let index = fleet.map { Planner.wave(of: heading, in: $0) } ?? 0
            let channelWaves = fleet?.channels[heading.channel]?.waves ?? []
            // A channel without waves (e.g. a paused one) is named itself.
            let name =
                channelWaves.isEmpty
                ? heading.channel : index < channelWaves.count ? channelWaves[index].name : "unassigned"
            names[index, default: []].insert(name)
            counts[index, default: 0] += 1
        }
        if orphans > 0 { counts[0, default: 0] += orphans }
        waves = counts.reduce(into: [:]) { result, entry in
            let name = (names[entry.key] ?? []).sorted().joined(separator: ", ")
            result[entry.key] = Wave(name: name.isEmpty ? "orphans" : name, instances: entry.value)
        }
    }

    /// "Wave 1/3 — internal (2 instances)"; "Wave 2" when the wave is unknown (a plan read without its files).
    func header(_ index: Int) -> String {
        guard let wave = waves[index] else { return "Wave \(index + 1)" }
        let noun = wave.instances == 1 ? "instance" : "instances"
        return "Wave \(index + 1)/\(count) — \(wave.name) (\(wave.instances) \(noun))"
    }
}
