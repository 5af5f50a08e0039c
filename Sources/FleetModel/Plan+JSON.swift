/// The plan format's shape of steps and instances (docs/plan-format.md); `Codable` goes through it.
extension PlanStep: PlanJSONCodable {
    public var planJSON: PlanJSON {
        // In key order, so `object` need not sort.
        var members: [(String, PlanJSON)] = [("action", .string(action.rawValue))]
        members.reserveCapacity(9)
        if let after { members.append(("after", after.planJSON)) }
        if let before { members.append(("before", before.planJSON)) }
        members.append(("cause", reason.planJSON))
        if let detail { members.append(("detail", detail.planJSON)) }
        members += [
            ("disruptive", .bool(disruptive)), ("inputsHash", .string(inputsHash)),
            ("reason", .string(reasonText)), ("resource", .string(resource.rawValue)),
        ]
        return .object(members)
    }

    /// Reads a step and checks it is whole: the attributes fit the resource, the hash matches `after`. The `reason`
    /// text is display only; `cause` is what is read.
    public init(planJSON json: PlanJSON) throws(PlanJSONError) { try self.init(planJSON: json, checked: true) }

    /// `checked: false` takes the hash as written and does not compare the reason with the cause, for steps of a plan
    /// whose bytes are known to be what cloudctl wrote (a sealed plan, `PlanSeal`): there they match by construction,
    /// and computing them is most of the cost of reading a large plan. Everything else is read and refused as strictly.
    public init(planJSON json: PlanJSON, checked: Bool) throws(PlanJSONError) {
        let object = try json.fields(allowed: [
            "action", "resource", "reason", "cause", "inputsHash", "disruptive", "before", "after", "detail",
        ])
        let resource = try object.enumValue("resource", ResourceKind.self)
        func attributes(_ key: String) throws(PlanJSONError) -> ResourceAttributes? {
            guard object.has(key) else { return nil }
            return try object.nested(key) { json throws(PlanJSONError) in
                try ResourceAttributes(planJSON: json, kind: resource)
            }
        }
        // Read in this order, so the first problem reported stays the same.
        let action = try object.enumValue("action", StepAction.self)
        let reason = try object.nested("cause") { json throws(PlanJSONError) in try StepReason(planJSON: json) }
        let before = try attributes("before")
        let after = try attributes("after")
        let detail =
            object.has("detail")
            ? try object.nested("detail") { json throws(PlanJSONError) in try StepDetail(planJSON: json) } : nil
        let disruptive = try object.bool("disruptive")
        let hash = try object.string("inputsHash")
        self.init(
            action: action, resource: resource, reason: reason, before: before, after: after,
            hash: checked ? after?.unsharedHash ?? "" : hash, detail: detail, disruptive: disruptive)
        guard checked else { return }
        guard hash == inputsHash else {
            throw PlanJSONError(path: ["inputsHash"], "does not match the step's attributes (edited by hand?)")
        }
        // The words a reviewer read must be the ones cloudctl writes for this step.
        guard try object.string("reason") == reasonText else {
            throw PlanJSONError(path: ["reason"], "does not match the step's cause (edited by hand?)")
        }
    }
}

extension InstanceTarget: PlanJSONConvertible {
    public var planJSON: PlanJSON {
        let window = maintenanceWindow
        var members: [(String, PlanJSON)] = [
            ("region", .string(region)), ("state", .string(state.rawValue)), ("protected", .bool(protected)),
            (
                "maintenanceWindow",
                .object([
                    ("day", .string(window.day.rawValue)), ("start", .string(window.start)),
                    ("duration", .string(window.duration)), ("timeZone", .string(window.timeZone)),
                ])
            ),
        ]
        // Omitted when empty, so plans of instances without labels keep their shape.
        if !labels.isEmpty {
            members.append(("labels", .object(labels.keys.sorted().map { ($0, .string(labels[$0]!)) })))
        }
        return .object(members)
    }

    public init(planJSON json: PlanJSON) throws(PlanJSONError) {
        let object = try json.fields(allowed: ["region", "state", "protected", "maintenanceWindow", "labels"])
        let window = try object.nested("maintenanceWindow") { json throws(PlanJSONError) in
            let w = try json.fields(allowed: ["day", "start", "duration", "timeZone"])
            return MaintenanceWindow(
                day: try w.enumValue("day", Weekday.self), start: try w.string("start"),
                duration: try w.string("duration"), timeZone: try w.string("timeZone"))
        }
        var labels: [String: String] = [:]
        if object.has("labels") {
            labels = try object.nested("labels") { json throws(PlanJSONError) in try json.stringMap() }
        }
        self.init(
            region: try object.string("region"), state: try object.enumValue("state", InstanceState.self),
            maintenanceWindow: window, protected: try object.bool("protected"), labels: labels)
    }
}

extension InstancePlan: PlanJSONCodable {
    public var planJSON: PlanJSON {
        // In key order, so `object` need not sort.
        var members: [(String, PlanJSON)] = [
            ("changes", .array(changes.map(\.planJSON))), ("name", .string(name)),
            ("recordedFingerprint", .string(recordedFingerprint)),
        ]
        if let refusal { members.append(("refusal", .string(refusal))) }
        members += [
            ("specFingerprint", .string(specFingerprint)), ("status", .string(status.rawValue)),
            ("steps", .array(steps.map(\.planJSON))),
        ]
        if let target { members.append(("target", target.planJSON)) }
        members.append(("wave", .int(wave)))
        return .object(members)
    }

    public init(planJSON json: PlanJSON) throws(PlanJSONError) { try self.init(planJSON: json, readSteps: nil) }

    /// Reads an instance whose steps were read on their own (`readSteps`, in order, or the first step's error, which
    /// is thrown where the steps are read); `json` holds its `steps` member as an empty array then.
    public init(planJSON json: PlanJSON, readSteps: Result<[PlanStep], PlanJSONError>?) throws(PlanJSONError) {
        let object = try json.fields(allowed: [
            "name", "status", "wave", "specFingerprint", "recordedFingerprint", "changes", "steps", "target", "refusal",
        ])
        var changes: [InstanceIntent] = []
        for (index, change) in try object.array("changes").enumerated() {
            do { changes.append(try InstanceIntent(planJSON: change)) } catch {
                throw error.within("[\(index)]").within("changes")
            }
        }
        var steps: [PlanStep] = []
        if let readSteps {
            steps = try readSteps.get()
        } else {
            for (index, step) in try object.array("steps").enumerated() {
                do { steps.append(try PlanStep(planJSON: step)) } catch {
                    throw error.within("[\(index)]").within("steps")
                }
            }
        }
        self.init(
            name: try object.string("name"), status: try object.enumValue("status", Status.self),
            wave: try object.int("wave"), specFingerprint: try object.string("specFingerprint"),
            recordedFingerprint: try object.string("recordedFingerprint"), changes: changes, steps: steps,
            target: object.has("target")
                ? try object.nested("target") { json throws(PlanJSONError) in try InstanceTarget(planJSON: json) }
                : nil,
            refusal: try object.optionalString("refusal"))
    }
}
