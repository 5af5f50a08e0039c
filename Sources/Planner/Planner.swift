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

/// What a streamed plan leaves once every instance was handed out: the summary and the problems found.
public struct PlanOutline: Sendable {
    public var summary: PlanSummary
    public var diagnostics: [Diagnostic]
}

/// Desired specs + recorded state → ordered steps. Pure.
public enum Planner {
    public static func plan(_ input: PlanInput) -> PlanResult {
        var instances: [InstancePlan] = []
        instances.reserveCapacity(input.selection?.count ?? input.specs.count)
        let outline = plan(input) { instances.append($0) }
        return PlanResult(plan: Plan(toolVersion: input.toolVersion, fleet: input.fleet.name, instances: instances), diagnostics: outline.diagnostics)
    }

    /// The same plan handed to `each` one instance at a time, in plan order (wave, then name), so a caller can print or
    /// save 100,000 instances without holding all their steps at once.
    public static func plan(_ input: PlanInput, each: (InstancePlan) -> Void) -> PlanOutline {
        let recordedByName = Dictionary(input.recorded.map { ($0.name, $0) }) { first, _ in first }
        let specNames = Set(input.specs.map(\.name))
        func selected(_ name: String) -> Bool { input.selection?.contains(name) ?? true }
        func file(_ name: String) -> String { input.files[name] ?? "Instances/\(name).json" }

        var diagnostics: [Diagnostic] = []
        for name in (input.selection ?? []).sorted() where !specNames.contains(name) && recordedByName[name] == nil {
            diagnostics.append(.error("unknown instance \"\(name)\"",
                                      detail: "there is no instance file for it and nothing recorded; check the name (the file name without .json)"))
        }

        // The loader already sorts specs by name; sorting again would copy 100,000 specs.
        let inOrder = zip(input.specs, input.specs.dropFirst()).allSatisfy { $0.name < $1.name }
        let specs = inOrder ? input.specs : input.specs.sorted { $0.name < $1.name }
        // Recorded without a file: reported, never touched. A finished teardown leaves nothing to report.
        let orphans = input.recorded.filter {
            !specNames.contains($0.name) && selected($0.name) && !($0.state == .deleted && $0.resources.isEmpty)
        }.sorted { $0.name < $1.name }

        // Plan order first (cheap), then one instance at a time. Spec problems come out in name order, as before.
        enum Entry { case spec(Int), orphan(Int) }
        var order = specs.indices.filter { selected(specs[$0].name) }.map {
            (wave: WaveAssignment.wave(of: specs[$0], in: input.fleet), name: specs[$0].name, entry: Entry.spec($0))
        }
        order += orphans.indices.map { (wave: 0, name: orphans[$0].name, entry: Entry.orphan($0)) }
        order.sort { ($0.wave, $0.name) < ($1.wave, $1.name) }

        var problems: [(index: Int, diagnostic: Diagnostic)] = []
        var summary = PlanSummary()
        let memo = HashedInputsMemo()
        var fingerprinter = SpecFingerprinter(fleet: input.fleet)
        for (wave, _, entry) in order {
            let instance: InstancePlan
            switch entry {
            case .spec(let index):
                let spec = specs[index]
                let recorded = recordedByName[spec.name]
                let outcome = InstancePlanner(spec: spec, recorded: recorded, fleet: input.fleet, memo: memo).plan()
                problems += outcome.problems.map {
                    (index, .error($0.summary, detail: $0.detail, at: SourceLocation(file: file(spec.name), fieldPath: $0.fieldPath)))
                }
                instance = InstancePlan(
                    name: spec.name, status: outcome.status, wave: wave, specFingerprint: fingerprinter.fingerprint(spec),
                    recordedFingerprint: recorded?.fingerprint ?? RecordedInstance.noneFingerprint,
                    steps: outcome.problems.isEmpty ? outcome.steps : [], refusal: outcome.refusal)
            case .orphan(let index):
                let recorded = orphans[index]
                instance = InstancePlan(name: recorded.name, status: .orphaned, specFingerprint: "",
                                        recordedFingerprint: recorded.fingerprint, steps: [])
            }
            summary.add(instance)
            each(instance)
        }
        diagnostics += problems.enumerated().sorted { ($0.element.index, $0.offset) < ($1.element.index, $1.offset) }.map(\.element.diagnostic)
        for recorded in orphans {
            diagnostics.append(.warning(
                "instance \"\(recorded.name)\" is recorded but has no file; it is left untouched (orphaned)",
                detail: "cloudctl never tears down an instance because its file is gone; to tear it down, restore the file with \"state\": \"deleted\"",
                at: SourceLocation(file: file(recorded.name))))
        }
        return PlanOutline(summary: summary, diagnostics: diagnostics)
    }

    /// Fingerprint of an instance's spec together with the fleet settings it uses (tier, image, DNS, catalog entry).
    public static func specFingerprint(_ spec: InstanceSpec, fleet: Fleet) -> String {
        var fingerprinter = SpecFingerprinter(fleet: fleet)
        return fingerprinter.fingerprint(spec)
    }
}
