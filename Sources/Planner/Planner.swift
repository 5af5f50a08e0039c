import Dispatch
import FleetModel
import Foundation

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
    /// Resources that drifted in the cloud, by instance (`RecordRefresh`): their updates are repairs. Empty unless
    /// planning with `--refresh`, whose `recorded` is already corrected from the observation.
    public var drifted: [String: Set<ResourceKind>]

    public init(
        fleet: Fleet, specs: [InstanceSpec], files: [String: String] = [:], recorded: [RecordedInstance],
        selection: Set<String>? = nil, toolVersion: String, drifted: [String: Set<ResourceKind>] = [:]
    ) {
        self.fleet = fleet
        self.specs = specs
        self.files = files
        self.recorded = recorded
        self.selection = selection
        self.toolVersion = toolVersion
        self.drifted = drifted
    }
}

/// A plan and the problems found while computing it (errors make the plan unusable).
public struct PlanResult: Sendable {
    public var plan: Plan
    public var diagnostics: [Diagnostic]
    public init(plan: Plan, diagnostics: [Diagnostic]) {
        self.plan = plan
        self.diagnostics = diagnostics
    }
}

/// What a streamed plan leaves once every instance was handed out: the summary and the problems found.
public struct PlanOutline: Sendable {
    public var summary: PlanSummary
    public var diagnostics: [Diagnostic]
}

/// Desired specs + recorded state → ordered steps. Pure.
public enum Planner {
    /// Instances planned at once on all cores before they are handed out.
    static let chunkSize = 1024

    public static func plan(_ input: PlanInput) -> PlanResult {
        var instances: [InstancePlan] = []
        instances.reserveCapacity(input.selection?.count ?? input.specs.count)
        let outline = plan(input) { instances.append($0) }
        return PlanResult(
            plan: Plan(toolVersion: input.toolVersion, fleet: input.fleet.name, instances: instances),
            diagnostics: outline.diagnostics)
    }

    /// The same plan handed to `each` one instance at a time, in plan order (wave, then name), so a caller can print or
    /// save 100,000 instances without holding all their steps at once.
    public static func plan(_ input: PlanInput, each: (InstancePlan) -> Void) -> PlanOutline {
        let run = PlanRun(input)
        // Plan order first (cheap), then one instance at a time.
        enum Entry { case spec(Int), orphan(Int) }
        var order = run.selectedSpecs.map {
            (
                wave: WaveAssignment.wave(of: run.specs[$0], in: input.fleet), name: run.specs[$0].name,
                entry: Entry.spec($0)
            )
        }
        order += run.orphans.indices.map { (wave: 0, name: run.orphans[$0].name, entry: Entry.orphan($0)) }
        order.sort { ($0.wave, $0.name) < ($1.wave, $1.name) }

        var problems: [(index: Int, diagnostics: [Diagnostic])] = []
        var summary = PlanSummary()
        // Instances are planned a chunk at a time on all cores (each is independent of the others), then handed out
        // in plan order.
        for start in stride(from: 0, to: order.count, by: Self.chunkSize) {
            let chunk = order[start..<min(start + Self.chunkSize, order.count)].map { ($0.wave, $0.entry) }
            let planned = ChunkResults<(InstancePlan, [Diagnostic])>(count: chunk.count)
            let workers = min(ProcessInfo.processInfo.activeProcessorCount, max(1, chunk.count / 64))
            let share = (chunk.count + workers - 1) / workers
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                // Memos are per worker: they are not shared between threads.
                var fingerprinter = SpecFingerprinter(fleet: input.fleet)
                let memo = HashedAttributesMemo()
                for offset in worker * share..<min((worker + 1) * share, chunk.count) {
                    let (wave, entry) = chunk[offset]
                    switch entry {
                    case .spec(let index):
                        let instance = run.plan(index, wave: wave, memo: memo, fingerprinter: &fingerprinter)
                        planned.store(instance, at: offset)
                    case .orphan(let index):
                        let recorded = run.orphans[index]
                        let orphan = InstancePlan(
                            name: recorded.name, status: .orphaned, specFingerprint: "",
                            recordedFingerprint: recorded.fingerprint, steps: [])
                        planned.store((orphan, []), at: offset)
                    }
                }
            }
            for (offset, (instance, diagnostics)) in planned.values.enumerated() {
                if !diagnostics.isEmpty, case .spec(let index) = chunk[offset].1 {
                    problems.append((index, diagnostics))
                }
                summary.add(instance)
                each(instance)
            }
        }
        // Spec problems in name order, whatever the waves.
        let specProblems = problems.sorted { $0.index < $1.index }.flatMap(\.diagnostics)
        return PlanOutline(summary: summary, diagnostics: run.selectionErrors() + specProblems + run.orphanWarnings())
    }

    /// Exactly the diagnostics `plan(_:)` reports, found without fingerprinting, ordering or keeping any steps: a cheap
    /// check before printing a streamed plan, since a plan with errors must print nothing.
    public static func diagnostics(_ input: PlanInput) -> [Diagnostic] {
        let run = PlanRun(input)
        let memo = HashedAttributesMemo()
        let specProblems = run.selectedSpecs.flatMap { index in
            let problems = run.instancePlanner(index, memo: memo).problems()
            return problems.isEmpty ? [] : run.diagnostics(index, problems)
        }
        return run.selectionErrors() + specProblems + run.orphanWarnings()
    }

    /// The index of the rollout wave the instance is planned in (0 = first), as `InstancePlan.wave`.
    public static func wave(of spec: InstanceSpec, in fleet: Fleet) -> Int {
        WaveAssignment.wave(of: spec, in: fleet)
    }

    /// `wave(of:in:)` for an instance known by its heading.
    public static func wave(of heading: InstanceHeading, in fleet: Fleet) -> Int {
        WaveAssignment.wave(of: heading, in: fleet)
    }

    /// Fingerprint of an instance's spec together with the fleet settings it uses (tier, image, DNS, catalog entry).
    public static func specFingerprint(_ spec: InstanceSpec, fleet: Fleet) -> String {
        var fingerprinter = SpecFingerprinter(fleet: fleet)
        return fingerprinter.fingerprint(spec)
    }
}

/// What one planning run works from: the specs in name order, the records by name and the orphans.
private struct PlanRun: Sendable {
    let input: PlanInput
    let specs: [InstanceSpec]
    /// Indices into `specs` of the selected instances, in name order.
    let selectedSpecs: [Int]
    let recordedByName: [String: RecordedInstance]
    let specNames: Set<String>
    /// Recorded without a file, in name order: reported, never touched. A finished teardown leaves nothing to report.
    let orphans: [RecordedInstance]

    init(_ input: PlanInput) {
        self.input = input
        // The loader already sorts specs by name; sorting again would copy 100,000 specs.
        let inOrder = zip(input.specs, input.specs.dropFirst()).allSatisfy { $0.name < $1.name }
        let specs = inOrder ? input.specs : input.specs.sorted { $0.name < $1.name }
        let specNames = Set(specs.map(\.name))
        self.specs = specs
        self.specNames = specNames
        selectedSpecs = specs.indices.filter { input.selection?.contains(specs[$0].name) ?? true }
        recordedByName = Dictionary(input.recorded.map { ($0.name, $0) }) { first, _ in first }
        orphans = input.recorded.filter {
            !specNames.contains($0.name) && (input.selection?.contains($0.name) ?? true)
                && !($0.state == .deleted && $0.resources.isEmpty)
        }.sorted { $0.name < $1.name }
    }

    func file(_ name: String) -> String { input.files[name] ?? "Instances/\(name).json" }

    func instancePlanner(_ index: Int, memo: HashedAttributesMemo) -> InstancePlanner {
        let name = specs[index].name
        return InstancePlanner(
            spec: specs[index], recorded: recordedByName[name], fleet: input.fleet, memo: memo,
            drifted: input.drifted[name] ?? [])
    }

    /// One instance's plan and the problems that make it unusable.
    func plan(
        _ index: Int, wave: Int, memo: HashedAttributesMemo, fingerprinter: inout SpecFingerprinter
    ) -> (InstancePlan, [Diagnostic]) {
        let spec = specs[index]
        let outcome = instancePlanner(index, memo: memo).plan()
        let clean = outcome.problems.isEmpty
        let instance = InstancePlan(
            name: spec.name, status: outcome.status, wave: wave,
            specFingerprint: fingerprinter.fingerprint(spec),
            recordedFingerprint: recordedByName[spec.name]?.fingerprint ?? RecordedInstance.noneFingerprint,
            changes: clean ? outcome.list.changes : [], steps: clean ? outcome.list.steps : [],
            target: InstanceTarget(
                region: spec.region, state: spec.state, maintenanceWindow: spec.maintenanceWindow,
                protected: spec.protected, labels: spec.labels),
            refusal: outcome.refusal)
        return (instance, clean ? [] : diagnostics(index, outcome.problems))
    }

    func diagnostics(_ index: Int, _ problems: [InstanceProblem]) -> [Diagnostic] {
        let name = specs[index].name
        return problems.map {
            .error($0.summary, detail: $0.detail, at: SourceLocation(file: file(name), fieldPath: $0.fieldPath))
        }
    }

    func selectionErrors() -> [Diagnostic] {
        (input.selection ?? []).sorted().filter { !specNames.contains($0) && recordedByName[$0] == nil }.map { name in
            .error(
                "unknown instance \"\(name)\"",
                detail:
                    "there is no instance file for it and nothing recorded; "
                    + "check the name (the file name without .json)"
            )
        }
    }

    func orphanWarnings() -> [Diagnostic] {
        orphans.map { recorded in
            .warning(
                "instance \"\(recorded.name)\" is recorded but has no file; it is left untouched (orphaned)",
                detail:
                    "cloudctl never tears down an instance because its file is gone; "
                    + "to tear it down, restore the file with \"state\": \"deleted\"",
                at: SourceLocation(file: file(recorded.name)))
        }
    }
}

/// Results written by concurrent workers, each into its own slots, and read once they all finished.
private final class ChunkResults<Value>: @unchecked Sendable {
    private let slots: UnsafeMutableBufferPointer<Value?>

    init(count: Int) {
        slots = .allocate(capacity: count)
        slots.initialize(repeating: nil)
    }

    deinit {
        slots.deinitialize()
        slots.deallocate()
    }

    /// Each offset is written by exactly one worker.
    func store(_ value: Value, at offset: Int) { slots[offset] = value }

    /// Read after `concurrentPerform` returned.
    var values: [Value] { slots.map { $0! } }
}
