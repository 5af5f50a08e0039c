import Foundation
import FleetModel
import Rollout
import StateBackend

/// A release's rollout as files and state store see it now: the plan, each wave's progress and gates.
struct RolloutState {
    var plan: RolloutPlan
    var statuses: [WaveStatus]
    var decisions: [RolloutDecisionRecord]

    /// At most this many decisions of one release are read; more would mean a broken script, not a rollout.
    static let decisionLimit = 10_000

    /// Evaluates the rollout of `version`; `store` nil means nothing was ever applied or decided.
    /// `requirePreviousDone: false` is the executor's view (see `WaveGate.evaluate`).
    static func load(
        version: Version, fleet: Fleet, specs: [InstanceSpec], store: (any StateBackend)?, now: Date,
        requirePreviousDone: Bool = true
    ) async throws -> RolloutState {
        let plan = RolloutPlan.make(version: version, fleet: fleet, specs: specs)
        let decisions = try await store?.rolloutDecisions(version: version, since: nil, limit: decisionLimit) ?? []
        let observations = try await observe(plan, specs: specs, store: store, now: now)
        let statuses = WaveGate.evaluate(
            plan, observations: observations, decisions: decisions.map(\.gateDecision), now: now,
            requirePreviousDone: requirePreviousDone)
        return RolloutState(plan: plan, statuses: statuses, decisions: decisions)
    }

    /// What the store recorded for every instance of the rollout.
    private static func observe(
        _ plan: RolloutPlan, specs: [InstanceSpec], store: (any StateBackend)?, now: Date
    ) async throws -> [String: InstanceObservation] {
        guard let store else { return [:] }
        let byName = Dictionary(specs.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let recorded = Dictionary(
            try await store.recordedInstances().map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var observations: [String: InstanceObservation] = [:]
        for member in plan.waves.flatMap(\.members) {
            guard let spec = byName[member.name] else { continue }
            // The last few operations: the newest says how the last apply ended, the newest success when it passed.
            let operations = try await store.operations(instance: member.name, limit: 5)
            var lastRun: LastRun? = operations.first.map {
                switch $0.result {
                case .succeeded: .succeeded
                case .failed, .interrupted: .failed
                case .deferred: .deferred
                case .running, .cancelled, .skipped: .other
                }
            }
            // A deferred instance leaves no operation behind; outside its window, an upgrade waits for it.
            let running = recorded[member.name]?.runningVersion
            if lastRun != .failed, spec.version >= plan.version, (running ?? spec.version) < plan.version,
                !spec.maintenanceWindow.contains(now)
            {
                lastRun = .deferred
            }
            // Bake time counts from the last passed health check; an instance that never had one (provisioned at
            // the version) from its last successful apply.
            let lastCheck = operations.lazy.flatMap(\.steps).first {
                $0.action == .healthCheck && $0.status == .succeeded
            }
            let lastSuccess = operations.first { $0.result == .succeeded }
            observations[member.name] = InstanceObservation(
                name: member.name, desired: spec.version, running: running, lastRun: lastRun,
                healthyAt: lastCheck?.finishedAt ?? lastSuccess.flatMap { $0.finishedAt ?? $0.startedAt })
        }
        return observations
    }
}

extension RolloutDecisionRecord {
    /// What the gates read of it.
    var gateDecision: GateDecision {
        GateDecision(kind: GateDecision.Kind(rawValue: kind.rawValue)!, channel: channel, wave: wave, at: at)
    }
}
