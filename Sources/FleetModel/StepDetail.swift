/// Why a database snapshot is taken; it decides the snapshot's name and how long it is kept.
public enum SnapshotPurpose: Hashable, Sendable {
    /// Before the upgrade hop to this version.
    case preUpgrade(Version)
    /// Before teardown: the copy that outlives the instance, kept restorable for the fleet's retention.
    case final(RetentionPeriod)
}

/// What an action needs beyond the resource's attributes.
public enum StepDetail: Hashable, Sendable {
    /// `snapshot`: why.
    case snapshot(SnapshotPurpose)
    /// `migrate`: the schema moves from `from` to `task.version`, run by the task definition `task`.
    case migration(from: Version, task: TaskDefinitionAttributes)
    /// `health-check`: the service must run this task definition; then, with a probe (its URL expanded for the
    /// instance), the application must answer it.
    case healthCheck(expect: TaskDefinitionAttributes, probe: HealthProbe? = nil)
    /// `delete` of what a teardown keeps for the fleet's retention instead of deleting it (the log group).
    case keep(RetentionPeriod)
    /// `update` of a resource's label tags only: `before` as last applied (the only label keys cloudctl may remove),
    /// `after` as the instance file says now. Its attributes stay as they are.
    case labels(before: [String: String], after: [String: String])
}

extension StepDetail: PlanJSONConvertible {
    public var planJSON: PlanJSON {
        switch self {
        case .snapshot(.preUpgrade(let version)):
            .object([
                ("kind", .string("snapshot")), ("purpose", .string("pre-upgrade")),
                ("version", .string(version.description)),
            ])
        case .snapshot(.final(let retention)):
            .object([
                ("kind", .string("snapshot")), ("purpose", .string("final")),
                ("retentionDays", .int(retention.days)),
            ])
        case .migration(let from, let task):
            .object([
                ("kind", .string("migration")), ("from", .string(from.description)),
                ("task", ResourceAttributes.taskDefinition(task).planJSON),
            ])
        case .healthCheck(let expect, nil):
            .object([("kind", .string("health-check")), ("expect", ResourceAttributes.taskDefinition(expect).planJSON)])
        case .healthCheck(let expect, let probe?):
            .object([
                ("kind", .string("health-check")), ("expect", ResourceAttributes.taskDefinition(expect).planJSON),
                ("probe", probe.planJSON),
            ])
        case .keep(let retention):
            .object([("kind", .string("keep")), ("retentionDays", .int(retention.days))])
        case .labels(let before, let after):
            .object([
                ("after", Self.labelsJSON(after)), ("before", Self.labelsJSON(before)), ("kind", .string("labels")),
            ])
        }
    }

    private static func labelsJSON(_ labels: [String: String]) -> PlanJSON {
        .object(labels.keys.sorted().map { ($0, .string(labels[$0]!)) })
    }

    public init(planJSON json: PlanJSON) throws(PlanJSONError) {
        let kind = try json.fields(
            allowed: [
                "kind", "purpose", "version", "retentionDays", "from", "task", "expect", "probe", "before", "after",
            ]
        )
        .string("kind")
        switch kind {
        case "snapshot":
            let object = try json.fields(allowed: ["kind", "purpose", "version", "retentionDays"])
            switch try object.string("purpose") {
            case "pre-upgrade": self = .snapshot(.preUpgrade(try object.version("version")))
            case "final":
                let days = try object.int("retentionDays")
                guard RetentionPeriod.allowedDays.contains(days) else {
                    throw PlanJSONError(path: ["retentionDays"], "must be between 1 and 3650")
                }
                self = .snapshot(.final(RetentionPeriod(days: days)))
            case let other: throw PlanJSONError(path: ["purpose"], "unknown snapshot purpose '\(other)'")
            }
        case "migration":
            let object = try json.fields(allowed: ["kind", "from", "task"])
            let task = try object.nested("task") { json throws(PlanJSONError) in
                try ResourceAttributes(planJSON: json, kind: .taskDefinition).taskDefinition!
            }
            self = .migration(from: try object.version("from"), task: task)
        case "health-check":
            let object = try json.fields(allowed: ["kind", "expect", "probe"])
            let expect = try object.nested("expect") { json throws(PlanJSONError) in
                try ResourceAttributes(planJSON: json, kind: .taskDefinition).taskDefinition!
            }
            let probe =
                object.has("probe")
                ? try object.nested("probe") { json throws(PlanJSONError) in try HealthProbe(planJSON: json) } : nil
            self = .healthCheck(expect: expect, probe: probe)
        case "keep":
            let object = try json.fields(allowed: ["kind", "retentionDays"])
            let days = try object.int("retentionDays")
            guard RetentionPeriod.allowedDays.contains(days) else {
                throw PlanJSONError(path: ["retentionDays"], "must be between 1 and 3650")
            }
            self = .keep(RetentionPeriod(days: days))
        case "labels":
            let object = try json.fields(allowed: ["kind", "before", "after"])
            let before = try object.nested("before") { json throws(PlanJSONError) in try json.stringMap() }
            let after = try object.nested("after") { json throws(PlanJSONError) in try json.stringMap() }
            self = .labels(before: before, after: after)
        default:
            throw PlanJSONError(path: ["kind"], "unknown detail kind '\(kind)'")
        }
    }
}

extension HealthProbe: PlanJSONConvertible {
    public var planJSON: PlanJSON {
        var members: [(String, PlanJSON)] = [
            ("deadlineMs", .int(Int(deadline.milliseconds))), ("expectStatus", .int(expectStatus)),
            ("timeoutMs", .int(Int(timeout.milliseconds))), ("url", .string(url)),
        ]
        if let versionHeader { members.append(("versionHeader", .string(versionHeader))) }
        return .object(members)
    }

    public init(planJSON json: PlanJSON) throws(PlanJSONError) {
        let object = try json.fields(allowed: ["deadlineMs", "expectStatus", "timeoutMs", "url", "versionHeader"])
        self.init(
            url: try object.string("url"), expectStatus: try object.int("expectStatus"),
            versionHeader: try object.optionalString("versionHeader"),
            timeout: GateDuration(milliseconds: Int64(try object.int("timeoutMs"))),
            deadline: GateDuration(milliseconds: Int64(try object.int("deadlineMs"))))
    }
}
