import Foundation
import FleetModel
import FleetFiles
import AWSProvider

/// Checks a saved plan by its seal (`PlanSeal`) instead of planning again: when the plan was sealed by this cloudctl,
/// the files and recorded state are the ones it was made from, and its instances hash to its seal, then the file is
/// exactly what `SavedPlanCheck` would accept, for a fraction of the work. Anything else is left to `SavedPlanCheck`,
/// which says precisely what changed.
struct SealedPlanCheck {
    let reader: SavedPlanReader
    let scan: FleetScan
    let recorded: [RecordedInstance]
    /// False for the check made again after the files or records changed: it never holds.
    var holds = true

    /// Whether the plan is sealed and was made from exactly these files and records by this cloudctl; reads no
    /// instance of the plan.
    var inputsUnchanged: Bool {
        guard let inputs = reader.inputs, reader.seal != nil, reader.toolVersion == CLI.toolVersion,
            reader.fleet == scan.fleet.name, let selection = reader.selection
        else { return false }
        let now = PlanSeal.inputs(
            files: scan.filesDigest, recorded: recorded, selection: selection, toolVersion: CLI.toolVersion)
        return inputs == now
    }

    /// Reads every instance, handing each to `each` in plan order, and returns the summary when the seal holds. Nil
    /// when it does not (or an instance does not decode): then what `each` received must be thrown away.
    func verify(_ each: (InstancePlan) -> Void) -> PlanSummary? {
        guard holds, inputsUnchanged else { return nil }
        return reader.readSealed(each)
    }
}

extension SealedPlanCheck: SavedPlanVerification {
    func check(handingOver each: (InstancePlan) -> Void) -> PlanSummary? { verify(each) }

    /// Scans the repository and reads the recorded state; nil when the plan is not sealed or the repository cannot
    /// be scanned (then only `SavedPlanCheck` can check the plan).
    static func open(_ reader: SavedPlanReader, scan: FleetScan?, _ context: CommandContext) async throws
        -> SealedPlanCheck?
    {
        guard reader.seal != nil, let scan else { return nil }
        let store = try context.storeForApplying(fleet: scan.fleet.name)
        let recorded = try await store?.recordedInstances() ?? []
        let check = SealedPlanCheck(reader: reader, scan: scan, recorded: recorded)
        return check.inputsUnchanged ? check : nil
    }

    func again(_ context: CommandContext) async throws -> SealedPlanCheck {
        let scan = FleetLoader.scan(repo: context.repo, rules: AWSRules())
        return try await Self.open(reader, scan: scan, context) ?? self.changed
    }

    /// A check that fails: the files or records are no longer the ones the plan was made from.
    private var changed: SealedPlanCheck {
        SealedPlanCheck(reader: reader, scan: scan, recorded: recorded, holds: false)
    }

    /// The text renderer for the plan: instance headings from the scan, windows relative to `now`.
    func textRenderer(terminal: Terminal, now: Date?) -> PlanTextRenderer {
        FleetWorkspace.textRenderer(
            headings: scan.headings, fleet: scan.fleet, recorded: recorded, terminal: terminal, now: now,
            selecting: reader.selection?.names ?? [])
    }
}
