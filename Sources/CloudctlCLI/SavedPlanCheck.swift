import Foundation
import FleetModel
import Planner

/// Applies a saved plan only if this cloudctl, planning now, would make exactly the same plan: same tool version,
/// fleet and selection, unchanged files and recorded state, identical instances in the same order, a summary that
/// adds up. Checked one instance at a time against a streamed fresh plan, so a plan of 100,000 instances is never
/// held whole while it is checked (the planner is deterministic, so any difference means the file was edited).
struct SavedPlanCheck {
    let reader: SavedPlanReader
    /// The plan file as the user named it, for messages.
    let file: String
    let workspace: FleetWorkspace
    /// Sharded (`apply PLANFILE --shard K/N`): the other shards' runners may already have applied their instances, so
    /// a changed recorded state outside this shard is theirs, not staleness (their files must still be unchanged).
    var shard: Shard?

    private var replan: String { "Re-run `cloudctl plan --out \(file)` with this cloudctl and review the new plan." }

    /// Checks the whole plan, handing each instance to `each` in plan order as it checks out; throws the first
    /// reason to refuse, after reading every instance (so what `each` received is only usable when nothing is thrown).
    /// Returns the summary.
    func verify(_ each: (InstancePlan) -> Void) throws -> PlanSummary {
        let selection = try checkHeader()
        let indexByName = try indexNames()
        var stale: [String] = []
        var differing: [String] = []
        var unlisted: [String] = []
        var recount = PlanSummary()
        var visited = [Bool](repeating: false, count: reader.count)
        var failure: Error?
        var position = 0
        var batch = Batch(start: 0, instances: [])
        // An unedited file holds exactly what the writer makes of the fresh plan: a batch of fresh instances is
        // rendered and compared byte for byte on all cores, and only one that differs is decoded.
        var pending: [(fresh: InstancePlan, index: Int?, position: Int)] = []
        func check(_ fresh: InstancePlan, index: Int?, position: Int, exact: Bool) {
            guard failure == nil else { return }
            guard let index else {
                unlisted.append(fresh.name)
                return
            }
            if exact {
                visited[index] = true
                recount.add(fresh)
                each(fresh)
                return
            }
            do {
                let saved = try batch.instance(at: index, reader)
                visited[index] = true
                recount.add(saved)
                let specChanged = saved.specFingerprint != fresh.specFingerprint
                let othersProgress = shard.map { !$0.contains(fresh.name) && !specChanged } ?? false
                if othersProgress {
                    // Not this runner's instance, and only its recorded state moved on: not checked further.
                } else if specChanged || saved.recordedFingerprint != fresh.recordedFingerprint {
                    stale.append(fresh.name)
                } else if saved != fresh || index != position {
                    differing.append(fresh.name)
                }
                each(fresh)
            } catch {
                failure = error
            }
        }
        // Batch k is compared in the background while the planner makes batch k + 1; results are taken in order.
        var inFlight: (items: [(fresh: InstancePlan, index: Int?, position: Int)], comparison: BackgroundWork<[Bool]>)?
        func finishInFlight() {
            guard let batch = inFlight else { return }
            for (item, exact) in zip(batch.items, batch.comparison.wait()) {
                check(item.fresh, index: item.index, position: item.position, exact: exact)
            }
            inFlight = nil
        }
        func drain() {
            finishInFlight()
            guard !pending.isEmpty else { return }
            let indices = pending.map { $0.index == $0.position ? $0.index : nil }
            let fresh = pending.map(\.fresh)
            let comparison = BackgroundWork { [reader] in reader.instances(indices, areExactly: fresh) }
            inFlight = (pending, comparison)
            pending.removeAll(keepingCapacity: true)
        }
        let outline = Planner.plan(try workspace.planInput(selecting: selection.names)) { fresh in
            pending.append((fresh, indexByName[fresh.name], position))
            position += 1
            if pending.count == SavedPlanReader.batchSize { drain() }
        }
        drain()
        finishInFlight()
        if let failure { throw failure }
        // Instances the fresh plan does not have are still read: every instance of the file must decode strictly.
        let known = Set(workspace.loaded.specs.map(\.name)).union(workspace.recorded.map(\.name))
        var dropped: [String] = []
        for index in visited.indices where !visited[index] {
            let saved = try reader.instance(at: index)
            recount.add(saved)
            // Unknown now: its file was removed before it was ever applied, which is staleness, not an edit.
            if known.contains(saved.name) { dropped.append(saved.name) } else { stale.append(saved.name) }
        }
        try reader.checkSummary(recount)
        guard stale.isEmpty else {
            throw DiagnosticsError([
                .error(
                    "Saved plan is stale",
                    detail: "Since \(file) was saved, the instance files or recorded state changed for "
                        + "\(InstanceChange.names(stale)). " + replan)
            ])
        }
        guard unlisted.isEmpty && dropped.isEmpty else {
            let what = [
                unlisted.isEmpty ? nil : "also lists \(InstanceChange.names(unlisted))",
                dropped.isEmpty ? nil : "no longer lists \(InstanceChange.names(dropped))",
            ].compactMap { $0 }
            throw DiagnosticsError([
                .error(
                    "Saved plan does not list the instances a fresh plan lists",
                    detail: "A fresh plan of \(Self.describe(selection)) " + what.joined(separator: " and ")
                        + ": an instance was added or recorded since, or \(file) was edited. " + replan)
            ])
        }
        let errors = outline.diagnostics.filter { $0.severity == .error }
        guard errors.isEmpty else { throw DiagnosticsError(errors) }
        guard differing.isEmpty else {
            throw DiagnosticsError([
                .error(
                    "Saved plan does not match a fresh plan",
                    detail:
                        "For \(InstanceChange.names(differing)), the steps in \(file) differ from what cloudctl plans "
                        + "now from the same instance files and recorded state, so the file was edited. " + replan)
            ])
        }
        return recount
    }

    /// Saved instances decoded a batch at a time on all cores; the fresh plan's order is normally the file's.
    private struct Batch {
        var start: Int
        var instances: [Result<InstancePlan, Error>]

        mutating func instance(at index: Int, _ reader: SavedPlanReader) throws -> InstancePlan {
            if !(start..<start + instances.count).contains(index) {
                start = index
                instances = reader.instances(index..<min(index + SavedPlanReader.batchSize, reader.count))
            }
            return try instances[index - start].get()
        }
    }

    /// The tool version, fleet and selection; the selection is what to re-plan.
    private func checkHeader() throws -> PlanSelection {
        guard reader.toolVersion == CLI.toolVersion else {
            throw DiagnosticsError([
                .error(
                    "Saved plan was made by cloudctl \(reader.toolVersion); this is cloudctl \(CLI.toolVersion)",
                    detail: "Another version may plan differently. " + replan)
            ])
        }
        let fleet = try workspace.validFleet()
        guard reader.fleet == fleet.name else {
            throw DiagnosticsError([
                .error(
                    "Saved plan is for fleet \(Diagnostic.quoted(reader.fleet)); "
                        + "this repository's fleet is \(Diagnostic.quoted(fleet.name))",
                    detail: "\(file) was edited or belongs to another repository. " + replan)
            ])
        }
        guard let selection = reader.selection else {
            throw DiagnosticsError([
                .error(
                    "Saved plan does not say which instances it covers",
                    detail: "\(file) has no \"selection\": it was edited, or printed by an older cloudctl. " + replan)
            ])
        }
        return selection
    }

    /// Saved instance index by name; a name listed twice is refused, since the checks key instances by name.
    private func indexNames() throws -> [String: Int] {
        var indexByName: [String: Int] = [:]
        indexByName.reserveCapacity(reader.count)
        var repeated = Set<String>()
        for index in 0..<reader.count {
            let name = try reader.name(at: index)
            if indexByName[name] == nil { indexByName[name] = index } else { repeated.insert(name) }
        }
        guard repeated.isEmpty else {
            throw DiagnosticsError([
                .error(
                    "Saved plan names \(InstanceChange.names(repeated.sorted())) more than once",
                    detail: "Each instance appears once in a plan cloudctl makes, so \(file) was edited. " + replan)
            ])
        }
        return indexByName
    }

    private static func describe(_ selection: PlanSelection) -> String {
        switch selection {
        case .all: "the whole fleet"
        case .names(let names): InstanceChange.list(names)
        }
    }
}

/// A way to check a saved plan whole (`SavedPlanCheck`, `SealedPlanCheck`), as `SavedPlanApproval` uses it.
protocol SavedPlanVerification {
    /// Checks every instance, handing each to `each` in plan order; the summary, or nil when this way cannot vouch
    /// for the plan (then what `each` received is void). Throws the reason to refuse the plan.
    func check(handingOver each: (InstancePlan) -> Void) throws -> PlanSummary?

    /// The check to make again at the moment of applying, from what the files and records are then.
    func again(_ context: CommandContext) async throws -> any SavedPlanVerification

    /// The repository the plan was checked against, loaded whole (the executor's rollout gates read the files).
    func workspace(_ context: CommandContext) async throws -> FleetWorkspace
}

extension SavedPlanCheck: SavedPlanVerification {
    func check(handingOver each: (InstancePlan) -> Void) throws -> PlanSummary? { try verify(each) }

    func again(_ context: CommandContext) async throws -> any SavedPlanVerification { self }

    func workspace(_ context: CommandContext) async throws -> FleetWorkspace { workspace }
}

/// `cloudctl apply PLANFILE` up to the cloud: check the plan, print it, ask, and hand over exactly the checked plan.
struct SavedPlanApproval {
    let reader: SavedPlanReader
    let options: ApplyOptions
    let context: CommandContext
    /// Where the plan is shown (stderr under `apply --json`).
    let console: Console

    enum Outcome {
        /// Checked, shown and confirmed; `by` is the check made last.
        case apply(Plan, by: any SavedPlanVerification)
        /// Checked and shown; it changes nothing.
        case nothingToApply
        /// `check` could not vouch for the plan; nothing was shown.
        case unverified

    }

    /// Checks the plan with `check`, shows it with `renderer`, asks, and checks it again before handing it over.
    func approve(_ check: some SavedPlanVerification, renderer: PlanTextRenderer) async throws -> Outcome {
        let autoApprove = options.autoApprove
        let spool = try OutputSpool()
        var output = ChunkedOutput(spool.append)
        var renderer = renderer
        // Without a prompt in between, the checked instances are the plan; otherwise they are read again below.
        var instances: [InstancePlan] = []
        let verified = try check.check { instance in
            renderer.write(instance, to: &output)
            if autoApprove { instances.append(instance) }
        }
        guard let summary = verified else { return .unverified }
        output.write(renderer.summary(summary) + "\n")
        output.flush()
        spool.replay(to: console.writeOut)
        // A shard with nothing left still goes on: it marks every wave finished, or the other shards would wait.
        guard summary.hasChanges || options.shard != nil else { return .nothingToApply }
        if summary.hasChanges { try ApplyCommand.confirm(options, context, console: console) }
        var last: any SavedPlanVerification = check
        if !autoApprove {
            // Checked again at the moment of applying: the files may have changed while the question was open.
            last = try await check.again(context)
            guard try last.check(handingOver: { instances.append($0) }) != nil else {
                throw DiagnosticsError([
                    .error(
                        "The plan, or what it was made from, changed while waiting for confirmation",
                        detail: "Nothing was applied. Run `cloudctl apply \(reader.path)` again to see what changed.")
                ])
            }
        }
        return .apply(Plan(toolVersion: reader.toolVersion, fleet: reader.fleet, instances: instances), by: last)
    }
}
