/// What a plan does to one instance, as a value: views render it, the executor groups waves by it.
public enum InstanceIntent: Hashable, Sendable {
    case provision
    /// From the running version to the desired one, through `hops` (the last is `to`).
    case upgrade(from: Version, to: Version, hops: [Version])
    /// A resource resized because the tier changed; tier names (`from` nil when no tier matches the record).
    case resize(what: ResourceKind, from: String?, to: String)
    case suspend
    case resume
    case teardown
    case domain(from: String, to: String)
    /// A missing resource created again.
    case repair(what: ResourceKind)
    /// A resource changed because the fleet file changed what it should be (image, tier definition, DNS).
    case reconfigure(what: ResourceKind)
    /// `protected` set or lifted: no cloud call, apply records it (a teardown needs it lifted by an earlier apply).
    case protection(Bool)
    /// The instance file's labels changed: existing resources are re-tagged (no restart).
    case relabel

    /// Two intents are the same kind of change when a rollout treats them alike: the same upgrade target, the same
    /// kind of resize, and so on (a deferred instance holds later waves only for the same kind of change).
    /// The keys under which a deferred change holds later waves: an upgrade holds every version it passes through,
    /// so a later "upgrade to 5.4" that goes through 5.3 waits for a deferred "upgrade to 5.3".
    public var rolloutKeys: [String] {
        if case .upgrade(_, _, let hops) = self { return hops.map { "upgrade to \($0)" } }
        return [rolloutKey]
    }

    public var rolloutKey: String {
        switch self {
        case .provision: "provision"
        case .upgrade(_, let to, _): "upgrade to \(to)"
        case .resize(let what, _, let to): "resize \(what.rawValue) to \(to)"
        case .suspend: "suspend"
        case .resume: "resume"
        case .teardown: "teardown"
        case .domain: "domain"
        case .repair(let what): "repair \(what.rawValue)"
        case .reconfigure(let what): "reconfigure \(what.rawValue)"
        case .protection(let on): on ? "protect" : "unprotect"
        case .relabel: "labels"
        }
    }
}

extension InstanceIntent: PlanJSONConvertible {
    public var planJSON: PlanJSON {
        switch self {
        case .provision: .object([("kind", .string("provision"))])
        case .upgrade(let from, let to, let hops):
            .object([
                ("kind", .string("upgrade")), ("from", .string(from.description)), ("to", .string(to.description)),
                ("hops", .array(hops.map { .string($0.description) })),
            ])
        case .resize(let what, let from, let to):
            .object(
                [("kind", .string("resize")), ("what", .string(what.rawValue)), ("to", .string(to))]
                    + (from.map { [("from", PlanJSON.string($0))] } ?? []))
        case .suspend: .object([("kind", .string("suspend"))])
        case .resume: .object([("kind", .string("resume"))])
        case .teardown: .object([("kind", .string("teardown"))])
        case .domain(let from, let to):
            .object([("kind", .string("domain")), ("from", .string(from)), ("to", .string(to))])
        case .repair(let what): .object([("kind", .string("repair")), ("what", .string(what.rawValue))])
        case .reconfigure(let what): .object([("kind", .string("reconfigure")), ("what", .string(what.rawValue))])
        case .protection(let on): .object([("kind", .string("protection")), ("protected", .bool(on))])
        case .relabel: .object([("kind", .string("labels"))])
        }
    }

    public init(planJSON json: PlanJSON) throws(PlanJSONError) {
        let object = try json.fields(allowed: ["kind", "from", "to", "hops", "what", "protected"])
        let kind = try object.string("kind")
        switch kind {
        case "provision": self = .provision
        case "upgrade":
            var hops: [Version] = []
            for (index, hop) in try object.array("hops").enumerated() {
                guard case .string(let text) = hop, let version = Version(text) else {
                    throw PlanJSONError(path: ["hops", "[\(index)]"], "expected a version")
                }
                hops.append(version)
            }
            self = .upgrade(from: try object.version("from"), to: try object.version("to"), hops: hops)
        case "resize":
            self = .resize(
                what: try object.enumValue("what", ResourceKind.self), from: try object.optionalString("from"),
                to: try object.string("to"))
        case "suspend": self = .suspend
        case "resume": self = .resume
        case "teardown": self = .teardown
        case "domain": self = .domain(from: try object.string("from"), to: try object.string("to"))
        case "repair": self = .repair(what: try object.enumValue("what", ResourceKind.self))
        case "reconfigure": self = .reconfigure(what: try object.enumValue("what", ResourceKind.self))
        case "protection": self = .protection(try object.bool("protected"))
        case "labels": self = .relabel
        default: throw PlanJSONError(path: ["kind"], "unknown change '\(kind)'")
        }
    }
}
