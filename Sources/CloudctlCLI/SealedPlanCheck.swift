import Foundation
import FleetModel
import FleetFiles
import AWSProvider

/// Checks a saved plan by its seal (`PlanSeal`) instead of planning again: when the plan was sealed by this build,
/// the files and recorded state are the ones it was made from, and its instances hash to its seal, then the file is
/// exactly what `SavedPlanCheck` would accept, for a fraction of the work. Anything else is left to `SavedPlanCheck`,
/// which says precisely what changed.
struct SealedPlanCheck {
    let reader: SavedPlanReader
    let scan: FleetScan
    let recorded: [RecordedInstance]
    /// The check to fall back on when the files or records no longer are the ones the plan was made from.
    let fullCheck: @Sendable () async throws -> SavedPlanCheck

    /// Scans the repository and reads the recorded state; nil when the plan is not sealed, the repository cannot be
    /// scanned, or what the plan was made from changed (then only `fullCheck` can check the plan).
    static func open(
        _ reader: SavedPlanReader, scan: FleetScan?, _ context: CommandContext,
        fullCheck: @escaping @Sendable () async throws -> SavedPlanCheck
    ) async throws -> SealedPlanCheck? {
        // The cheap refusals first: reading 100,000 records for a plan that cannot hold would be wasted.
        guard reader.seal != nil, reader.inputs != nil, reader.selection != nil, reader.toolVersion == CLI.toolVersion,
            let scan, reader.fleet == scan.fleet.name
        else { return nil }
        let store = try context.storeForApplying(fleet: scan.fleet.name)
        let recorded = try await store?.recordedInstances() ?? []
        let check = SealedPlanCheck(reader: reader, scan: scan, recorded: recorded, fullCheck: fullCheck)
        return check.inputsUnchanged ? check : nil
    }

    /// Whether the plan was made from exactly these files and records by this build; reads no instance of the plan.
    var inputsUnchanged: Bool {
        guard let inputs = reader.inputs, let selection = reader.selection else { return false }
        let now = PlanSeal.inputs(
            files: scan.filesDigest, recorded: recorded, selection: selection, toolVersion: CLI.toolVersion)
        return now == inputs
    }

    /// The text renderer for the plan: instance headings from the scan, windows relative to `now`.
    func textRenderer(terminal: Terminal, now: Date?) -> PlanTextRenderer {
        FleetWorkspace.textRenderer(
            headings: scan.headings, fleet: scan.fleet, recorded: recorded, terminal: terminal, now: now,
            selecting: reader.selection?.names ?? [])
    }
}

extension SealedPlanCheck: SavedPlanVerification {
    /// Reads every instance, handing each to `each` in plan order, and returns the summary when the seal holds. Nil
    /// when it does not (or an instance does not decode): then what `each` received must be thrown away.
    func check(handingOver each: (InstancePlan) -> Void) -> PlanSummary? { reader.readSealed(each) }

    /// The files and records as they are now: by the seal again when they are unchanged, else the long way (another
    /// shard's progress, for one, changes records without making the plan stale for this one).
    func again(_ context: CommandContext) async throws -> any SavedPlanVerification {
        let scan = FleetLoader.scan(repo: context.repo, rules: AWSRules())
        if let check = try await Self.open(reader, scan: scan, context, fullCheck: fullCheck) { return check }
        return try await fullCheck()
    }

    /// Loaded only now, after the question: refused unless its files are the ones checked.
    func workspace(_ context: CommandContext) async throws -> FleetWorkspace {
        let workspace = try await FleetWorkspace.open(context, applying: true)
        guard workspace.loaded.filesDigest == scan.filesDigest else {
            throw DiagnosticsError([
                .error(
                    "Instance files changed while applying \(reader.path)",
                    detail: "Nothing was applied. Run `cloudctl apply` with the plan again to see what changed.")
            ])
        }
        return workspace
    }
}
