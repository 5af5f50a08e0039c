/// Why a step happens, as a value; views turn it into words, nothing parses it.
public enum StepReason: Hashable, Sendable {
    /// Part of provisioning a new instance.
    case provision
    /// The resource is recorded as missing (an earlier create failed, or it was never made).
    case missing
    /// The resource's settings differ from what was last applied (its region-only settings).
    case settingsChanged
    /// The instance's tier changed; `from` is the tier whose settings match the record, when one does.
    case resize(from: String?, to: String)
    /// The fleet file changed what this resource should be (a tier definition, the image, DNS settings).
    case fleetSettingsChanged
    /// One hop of an upgrade.
    case upgradeHop(from: Version, to: Version, hop: Int, of: Int)
    /// The snapshot taken before an upgrade hop.
    case beforeUpgrade(to: Version)
    /// The health check after deploying a version.
    case verify(Version)
    case suspend
    case resume
    /// A suspended instance's database runs for changes and is stopped again afterwards.
    case startForChanges
    case domainMove(from: String, to: String)
    case finalSnapshot
    case teardown
    /// The cloud differs from what was last applied (`plan --refresh`): set back to the desired value.
    case drifted
    /// The instance file's labels changed: the resource's label tags are changed to match (`StepDetail.labels`).
    case labelsChanged
}

extension StepReason: PlanJSONConvertible {
    private var kind: String {
        switch self {
        case .provision: "provision"
        case .missing: "missing"
        case .settingsChanged: "settings-changed"
        case .resize: "resize"
        case .fleetSettingsChanged: "fleet-settings-changed"
        case .upgradeHop: "upgrade-hop"
        case .beforeUpgrade: "before-upgrade"
        case .verify: "verify"
        case .suspend: "suspend"
        case .resume: "resume"
        case .startForChanges: "start-for-changes"
        case .domainMove: "domain-move"
        case .finalSnapshot: "final-snapshot"
        case .teardown: "teardown"
        case .drifted: "drifted"
        case .labelsChanged: "labels-changed"
        }
    }

    public var planJSON: PlanJSON {
        var members: [(String, PlanJSON)] = [("kind", .string(kind))]
        switch self {
        case .resize(let from, let to):
            if let from { members.append(("from", .string(from))) }
            members.append(("to", .string(to)))
        case .upgradeHop(let from, let to, let hop, let of):
            members += [
                ("from", .string(from.description)), ("to", .string(to.description)), ("hop", .int(hop)),
                ("hops", .int(of)),
            ]
        case .beforeUpgrade(let to):
            members.append(("to", .string(to.description)))
        case .verify(let version):
            members.append(("version", .string(version.description)))
        case .domainMove(let from, let to):
            members += [("from", .string(from)), ("to", .string(to))]
        case .provision, .missing, .settingsChanged, .fleetSettingsChanged, .suspend, .resume, .startForChanges,
            .finalSnapshot, .teardown, .drifted, .labelsChanged:
            break
        }
        return .object(members)
    }

    public init(planJSON json: PlanJSON) throws(PlanJSONError) {
        let object = try json.fields(allowed: ["kind", "from", "to", "hop", "hops", "version"])
        let kind = try object.string("kind")
        switch kind {
        case "provision": self = .provision
        case "missing": self = .missing
        case "settings-changed": self = .settingsChanged
        case "resize": self = .resize(from: try object.optionalString("from"), to: try object.string("to"))
        case "fleet-settings-changed": self = .fleetSettingsChanged
        case "upgrade-hop":
            self = .upgradeHop(
                from: try object.version("from"), to: try object.version("to"), hop: try object.int("hop"),
                of: try object.int("hops"))
        case "before-upgrade": self = .beforeUpgrade(to: try object.version("to"))
        case "verify": self = .verify(try object.version("version"))
        case "suspend": self = .suspend
        case "resume": self = .resume
        case "start-for-changes": self = .startForChanges
        case "domain-move": self = .domainMove(from: try object.string("from"), to: try object.string("to"))
        case "final-snapshot": self = .finalSnapshot
        case "teardown": self = .teardown
        case "drifted": self = .drifted
        case "labels-changed": self = .labelsChanged
        default: throw PlanJSONError(path: ["kind"], "unknown reason '\(kind)'")
        }
    }
}
