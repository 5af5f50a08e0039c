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
    /// `health-check`: the service must run this task definition.
    case healthCheck(expect: TaskDefinitionAttributes)
    /// `delete` of what a teardown keeps for the fleet's retention instead of deleting it (the log group).
    case keep(RetentionPeriod)
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
        case .healthCheck(let expect):
            .object([("kind", .string("health-check")), ("expect", ResourceAttributes.taskDefinition(expect).planJSON)])
        case .keep(let retention):
            .object([("kind", .string("keep")), ("retentionDays", .int(retention.days))])
        }
    }

    public init(planJSON json: PlanJSON) throws(PlanJSONError) {
        let kind = try json.fields(allowed: ["kind", "purpose", "version", "retentionDays", "from", "task", "expect"])
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
            let object = try json.fields(allowed: ["kind", "expect"])
            let expect = try object.nested("expect") { json throws(PlanJSONError) in
                try ResourceAttributes(planJSON: json, kind: .taskDefinition).taskDefinition!
            }
            self = .healthCheck(expect: expect)
        case "keep":
            let object = try json.fields(allowed: ["kind", "retentionDays"])
            let days = try object.int("retentionDays")
            guard RetentionPeriod.allowedDays.contains(days) else {
                throw PlanJSONError(path: ["retentionDays"], "must be between 1 and 3650")
            }
            self = .keep(RetentionPeriod(days: days))
        default:
            throw PlanJSONError(path: ["kind"], "unknown detail kind '\(kind)'")
        }
    }
}
