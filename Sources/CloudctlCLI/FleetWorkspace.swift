import Foundation
import FleetModel
import FleetFiles
import AWSProvider
import Planner

/// The loaded fleet repository plus recorded state: what plan, apply and status work from.
struct FleetWorkspace {
    var loaded: LoadedFleet
    var recorded: [RecordedInstance]

    /// Loads the repository and the recorded state (none when there is no database yet); the database is opened
    /// read-only unless `applying`.
    static func open(_ context: CommandContext, applying: Bool = false) async throws -> FleetWorkspace {
        try await open(context, loaded: FleetLoader.load(repo: context.repo, rules: AWSRules()), applying: applying)
    }

    /// `open` with the repository already loaded (`cloudctl report` starts reading the journal in between).
    static func open(_ context: CommandContext, loaded: LoadedFleet, applying: Bool = false) async throws
        -> FleetWorkspace
    {
        let fleet = loaded.fleet?.name
        let store = try applying ? context.storeForApplying(fleet: fleet) : context.existingStore(fleet: fleet)
        let recorded = try await store?.recordedInstances() ?? []
        return FleetWorkspace(loaded: loaded, recorded: recorded)
    }

    var specsByName: [String: InstanceSpec] {
        Dictionary(loaded.specs.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// The fleet, or every loading problem as an error when the repository is unusable.
    func validFleet() throws -> Fleet {
        guard let fleet = loaded.fleet, !loaded.diagnostics.hasErrors else {
            throw DiagnosticsError(
                loaded.diagnostics.hasErrors
                    ? loaded.diagnostics
                    : loaded.diagnostics + [
                        .error(
                            "No fleet file",
                            detail: "Create Instances/_fleet.json in the repository, or pass --repo DIR.")
                    ])
        }
        return fleet
    }

    /// Rejects names that are neither an instance file nor recorded (the planner does the same for plans).
    func checkSelection(_ names: [String]) throws {
        let known = Set(loaded.specs.map(\.name)).union(recorded.map(\.name))
        let unknown = names.filter { !known.contains($0) }
        guard unknown.isEmpty else {
            throw DiagnosticsError(
                unknown.map {
                    .error(
                        "Unknown instance '\($0)'",
                        detail: "There is no Instances/\($0).json and nothing is recorded under that name.")
                })
        }
    }

    /// The text renderer for a plan of the selected instances (all when `names` is empty): instance details, wave
    /// headers, and (given `now`) when deferred instances' windows open.
    func textRenderer(terminal: Terminal, now: Date?, selecting names: [String] = []) -> PlanTextRenderer {
        Self.textRenderer(
            headings: loaded.specs.map(\.heading), fleet: loaded.fleet, recorded: recorded, terminal: terminal,
            now: now, selecting: names)
    }

    /// `textRenderer` from the instances' headings alone (a sealed plan is shown without decoding instance files).
    static func textRenderer(
        headings: [InstanceHeading], fleet: Fleet?, recorded: [RecordedInstance], terminal: Terminal, now: Date?,
        selecting names: [String] = []
    ) -> PlanTextRenderer {
        let selection = names.isEmpty ? nil : Set(names)
        let files = Set(headings.map(\.name))
        let orphans = recorded.filter { !files.contains($0.name) && (selection?.contains($0.name) ?? true) }.count
        return PlanTextRenderer(
            terminal: terminal, details: PlanTextRenderer.details(for: headings),
            waves: PlanWaves(headings: headings, fleet: fleet, orphans: orphans, selection: selection), now: now)
    }

    /// The planner's input for the selected instances (all when `names` is empty).
    func planInput(selecting names: [String]) throws -> PlanInput {
        PlanInput(
            fleet: try validFleet(), specs: loaded.specs, files: loaded.files, recorded: recorded,
            selection: names.isEmpty ? nil : Set(names), toolVersion: CLI.toolVersion)
    }

    /// Plans the selected instances (all when `names` is empty); planner errors are thrown, warnings returned.
    func plan(selecting names: [String], drifted: [String: Set<ResourceKind>] = [:]) throws -> PlanResult {
        var input = try planInput(selecting: names)
        input.drifted = drifted
        let result = Planner.plan(input)
        let diagnostics = loaded.diagnostics + result.diagnostics
        if diagnostics.hasErrors { throw DiagnosticsError(diagnostics) }
        return PlanResult(plan: result.plan, diagnostics: diagnostics)
    }
}
