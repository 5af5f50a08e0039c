import Foundation
import FleetModel
import FleetReport
import Rollout
import StateBackend

/// The fleet page's Rollouts section: the releases still rolling, each computed by `RolloutState` exactly as
/// `cloudctl rollout status` computes it, turned into page rows.
enum ReportRollouts {
    /// The page shows at most this many releases (the newest); older ones are counted in a notice.
    static let releaseLimit = 5
    /// How many instances a release does not reach are named before the rest are counted.
    static let skippedLimit = 10

    /// The releases rolling now, newest first, with how many older rolling ones were left out.
    ///
    /// A catalog release is rolling when some live instance (not deleted, in an open channel) desires or runs it,
    /// and some live instance has not run it yet (runs an older version, or has never been applied). Of those, a
    /// release whose every wave is done and baked and whose every file names it is over, and left out.
    static func sections(
        fleet: Fleet, specs: [InstanceSpec], recorded: [RecordedInstance], store: any StateBackend, now: Date,
        histories: [String: InstanceHistory]
    ) async throws -> (sections: [RolloutSection], omitted: Int) {
        let candidates = rolling(fleet: fleet, specs: specs, recorded: recorded)
        guard !candidates.isEmpty else { return ([], 0) }
        let states = try await RolloutState.load(
            versions: Array(candidates.prefix(releaseLimit)), fleet: fleet, specs: specs, store: store, now: now,
            histories: Dictionary(
                specs.map { ($0.name, operationsWithSteps(histories[$0.name] ?? InstanceHistory())) },
                uniquingKeysWith: { a, _ in a }), recorded: recorded)
        let shown = states.filter { !isOver($0) }.map { section($0, now: now) }
        return (shown, max(0, candidates.count - releaseLimit))
    }

    /// The page's journal of an instance as `rollout status` reads it: the newest operations, each with its steps.
    /// The page read the newest steps of the instance (20), which hold the last apply's health check.
    static func operationsWithSteps(_ history: InstanceHistory) -> [OperationRecord] {
        // At most 5 operations and 20 steps: scanning beats grouping into a dictionary (10,000 instances).
        history.operations.prefix(RolloutState.Journal.operationLimit).map { operation in
            var operation = operation
            operation.steps = history.steps.filter { $0.operationId == operation.id }
                .sorted { ($0.index, $0.id) < ($1.index, $1.id) }
            return operation
        }
    }

    /// Catalog releases some live instance desires or runs and some live instance does not run yet, newest first.
    static func rolling(fleet: Fleet, specs: [InstanceSpec], recorded: [RecordedInstance]) -> [Version] {
        let running = Dictionary(recorded.map { ($0.name, $0.runningVersion) }, uniquingKeysWith: { a, _ in a })
        let live = specs.filter { spec in
            spec.state != .deleted && fleet.channels[spec.channel].map { !$0.paused } == true
        }
        var named = Set<Version>()
        for spec in live {
            named.insert(spec.version)
            if let version = running[spec.name] ?? nil { named.insert(version) }
        }
        // The oldest version a live instance runs; one never applied runs nothing, so every version is ahead of it.
        let floors = live.map { running[$0.name] ?? nil }
        return named.filter { version in
            fleet.releases.contains(version) && floors.contains { floor in floor.map { $0 < version } ?? true }
        }.sorted(by: >)
    }

    /// Every wave done and baked, and nothing left for `rollout advance` to edit: the release is everywhere.
    static func isOver(_ state: RolloutState) -> Bool {
        state.plan.waves.allSatisfy(\.upgrades.isEmpty)
            && state.statuses.allSatisfy { $0.state == .done && $0.bakeLeft == nil }
    }

    static func section(_ state: RolloutState, now: Date) -> RolloutSection {
        let notArrived = state.plan.skipped.filter {
            if case .alreadyAt = $0.reason { return false }
            return true
        }
        var skipped = notArrived.prefix(skippedLimit).map { "\($0.name) (\($0.reason))" }
        skipped += state.plan.unreachable.prefix(skippedLimit).map {
            "\($0.name) (no upgrade path from \($0.from))"
        }
        let more = notArrived.count + state.plan.unreachable.count - skipped.count
        if more > 0 { skipped.append("and \(more) more (see `cloudctl rollout plan \(state.plan.version)`)") }
        return RolloutSection(
            release: state.plan.version.description, waves: state.statuses.map(row), skipped: skipped)
    }

    static func row(_ status: WaveStatus) -> RolloutWaveRow {
        RolloutWaveRow(
            name: status.wave.label, channel: status.wave.channel, state: status.state, total: status.total,
            onVersion: status.onVersion, healthy: status.healthy, failed: status.failed, waiting: status.waiting,
            applying: status.applying, notStarted: status.notStarted, gate: status.closures.map(note),
            bakeLeft: status.bakeLeft.map(GateDurationText.left), startedAt: status.startedAt,
            finishedAt: status.finishedAt, failedInstances: status.failedInstances)
    }

    /// The closure's kind for the page, with the line `rollout status` prints for it.
    static func note(_ closure: GateClosure) -> GateNote {
        let kind: GateNote.Kind =
            switch closure {
            case .previousNotDone: .previousNotDone
            case .halted: .overBudget
            case .baking: .baking
            case .approvalNeeded: .approval
            }
        return GateNote(kind: kind, text: closure.description)
    }
}
