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
        let loaded = FleetLoader.load(repo: context.repo, rules: AWSRules())
        let fleet = loaded.fleet?.name
        let store = try applying ? context.storeForApplying(fleet: fleet) : context.existingStore(fleet: fleet)
        let recorded = try await store?.recordedInstances() ?? []
        return FleetWorkspace(loaded: loaded, recorded: recorded)
    }

    var specsByName: [String: InstanceSpec] { Dictionary(loaded.specs.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a }) }

    /// The fleet, or every loading problem as an error when the repository is unusable.
    func validFleet() throws -> Fleet {
        guard let fleet = loaded.fleet, !loaded.diagnostics.hasErrors else {
            throw DiagnosticsError(loaded.diagnostics.hasErrors ? loaded.diagnostics
                : loaded.diagnostics + [.error("No fleet file", detail: "Create Instances/_fleet.json in the repository, or pass --repo DIR.")])
        }
        return fleet
    }

    /// Rejects names that are neither an instance file nor recorded (the planner does the same for plans).
    func checkSelection(_ names: [String]) throws {
        let known = Set(loaded.specs.map(\.name)).union(recorded.map(\.name))
        let unknown = names.filter { !known.contains($0) }
        guard unknown.isEmpty else {
            throw DiagnosticsError(unknown.map {
                .error("Unknown instance '\($0)'", detail: "There is no Instances/\($0).json and nothing is recorded under that name.")
            })
        }
    }

    /// The planner's input for the selected instances (all when `names` is empty).
    func planInput(selecting names: [String]) throws -> PlanInput {
        PlanInput(fleet: try validFleet(), specs: loaded.specs, files: loaded.files, recorded: recorded,
                  selection: names.isEmpty ? nil : Set(names), toolVersion: CLI.toolVersion)
    }

    /// Plans the selected instances (all when `names` is empty); planner errors are thrown, warnings returned.
    func plan(selecting names: [String]) throws -> PlanResult {
        let result = Planner.plan(try planInput(selecting: names))
        let diagnostics = loaded.diagnostics + result.diagnostics
        if diagnostics.hasErrors { throw DiagnosticsError(diagnostics) }
        return PlanResult(plan: result.plan, diagnostics: diagnostics)
    }

    /// Refuses a saved plan unless this cloudctl, planning now, would make exactly the same plan for its instances:
    /// same tool version, unchanged files and recorded state, identical steps (the planner is deterministic, so any
    /// other difference means the file was edited).
    func checkSavedPlan(_ plan: Plan, file: String) throws {
        let replan = "Re-run `cloudctl plan --out \(file)` with this cloudctl and review the new plan."
        guard plan.toolVersion == CLI.toolVersion else {
            throw DiagnosticsError([.error("Saved plan was made by cloudctl \(plan.toolVersion); this is cloudctl \(CLI.toolVersion)",
                                           detail: "Another version may plan differently. " + replan)])
        }
        // Checked before anything else: the comparisons below key instances by name, so a repeat would slip through.
        var seen = Set<String>()
        let repeated = plan.instances.map(\.name).filter { !seen.insert($0).inserted }
        guard repeated.isEmpty else {
            throw DiagnosticsError([.error("Saved plan names \(InstanceChange.list(Array(Set(repeated)).sorted())) more than once",
                detail: "Each instance appears once in a plan cloudctl makes, so \(file) was edited. " + replan)])
        }
        let stale = try staleInstances(in: plan)
        guard stale.isEmpty else {
            throw DiagnosticsError([.error("Saved plan is stale",
                detail: "Since \(file) was saved, the instance files or recorded state changed for \(InstanceChange.list(stale)). " + replan)])
        }
        guard !plan.instances.isEmpty else { return }
        let fresh = try self.plan(selecting: plan.instances.map(\.name)).plan.instances
        let freshByName = Dictionary(fresh.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let differing = plan.instances.filter { freshByName[$0.name] != $0 }.map(\.name)
        guard differing.isEmpty else {
            throw DiagnosticsError([.error("Saved plan does not match a fresh plan",
                detail: "For \(InstanceChange.list(differing)), the steps in \(file) differ from what cloudctl plans now from the same "
                    + "instance files and recorded state, so the file was edited. " + replan)])
        }
    }

    /// Instances whose spec or recorded state changed since `plan` was computed.
    private func staleInstances(in plan: Plan) throws -> [String] {
        let fleet = try validFleet()
        let specs = specsByName
        let records = Dictionary(recorded.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        return plan.instances.filter { instance in
            let spec = specs[instance.name].map { Planner.specFingerprint($0, fleet: fleet) } ?? ""
            let record = records[instance.name]?.fingerprint ?? RecordedInstance.noneFingerprint
            return spec != instance.specFingerprint || record != instance.recordedFingerprint
        }.map(\.name)
    }
}
