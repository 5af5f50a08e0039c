import FleetModel

/// Everything the planner needs; all values, no I/O.
public struct PlanInput: Sendable {
    public var fleet: Fleet
    public var specs: [InstanceSpec]
    /// Relative file path per instance name, for diagnostics.
    public var files: [String: String]
    public var recorded: [RecordedInstance]
    /// Only plan these instances; nil means all.
    public var selection: Set<String>?
    public var toolVersion: String

    public init(fleet: Fleet, specs: [InstanceSpec], files: [String: String] = [:], recorded: [RecordedInstance], selection: Set<String>? = nil, toolVersion: String) {
        self.fleet = fleet; self.specs = specs; self.files = files; self.recorded = recorded; self.selection = selection; self.toolVersion = toolVersion
    }
}

/// A plan and the problems found while computing it (errors make the plan unusable).
public struct PlanResult: Sendable {
    public var plan: Plan
    public var diagnostics: [Diagnostic]
    public init(plan: Plan, diagnostics: [Diagnostic]) { self.plan = plan; self.diagnostics = diagnostics }
}

/// Desired specs + recorded state → ordered steps. Pure.
public enum Planner {
    public static func plan(_ input: PlanInput) -> PlanResult {
        // TODO(helper: Planner) — placeholder
        PlanResult(plan: Plan(toolVersion: input.toolVersion, fleet: input.fleet.name, instances: []), diagnostics: [])
    }

    /// Fingerprint of an instance's spec together with the fleet settings it uses (tier, image, DNS, catalog entry).
    public static func specFingerprint(_ spec: InstanceSpec, fleet: Fleet) -> String {
        // TODO(helper: Planner) — placeholder
        ""
    }
}
