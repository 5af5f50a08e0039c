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
        try await load(
            versions: [version], fleet: fleet, specs: specs, store: store, now: now,
            requirePreviousDone: requirePreviousDone)[0]
    }

    /// The rollouts of several releases, in the order given (what `cloudctl report` shows). Records and each
    /// instance's journal are read once for all of them; `histories` (newest operations with their steps, as
    /// `cloudctl report` already read them in one batch) and `recorded` (the records it already read) save reading
    /// them again.
    static func load(
        versions: [Version], fleet: Fleet, specs: [InstanceSpec], store: (any StateBackend)?, now: Date,
        requirePreviousDone: Bool = true, histories: [String: [OperationRecord]] = [:],
        recorded: [RecordedInstance]? = nil
    ) async throws -> [RolloutState] {
        var journal = Journal(store: store)
        journal.operations = histories.mapValues { Array($0.prefix(Journal.operationLimit)) }
        if store != nil, let recorded {
            journal.recorded = Dictionary(recorded.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        }
        var states: [RolloutState] = []
        let byName = Dictionary(specs.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for version in versions {
            let plan = RolloutPlan.make(version: version, fleet: fleet, specs: specs)
            let decisions =
                try await store?.rolloutDecisions(version: version, since: nil, limit: decisionLimit) ?? []
            let observations = try await observe(plan, specs: byName, journal: &journal, now: now)
            let statuses = WaveGate.evaluate(
                plan, observations: observations, decisions: decisions.map(\.gateDecision), now: now,
                requirePreviousDone: requirePreviousDone)
            states.append(RolloutState(plan: plan, statuses: statuses, decisions: decisions))
        }
        return states
    }

    /// What the store holds for the rollouts' instances, each part read on first use and then kept.
    struct Journal {
        var store: (any StateBackend)?
        var recorded: [String: RecordedInstance]?
        var operations: [String: [OperationRecord]] = [:]
        var facts: [String: Facts] = [:]

        init(store: (any StateBackend)?) { self.store = store }

        mutating func running(_ name: String) async throws -> Version? {
            guard let store else { return nil }
            if recorded == nil {
                recorded = Dictionary(
                    try await store.recordedInstances().map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
            }
            return recorded?[name]?.runningVersion
        }

        static let operationLimit = 5

        /// The last few operations: the newest says how the last apply ended, the newest success when it passed.
        mutating func operations(_ name: String) async throws -> [OperationRecord] {
            guard let store else { return [] }
            if let known = operations[name] { return known }
            let read = try await store.operations(instance: name, limit: Self.operationLimit)
            operations[name] = read
            return read
        }
    }

    /// What the store recorded for every instance of the rollout.
    private static func observe(
        _ plan: RolloutPlan, specs byName: [String: InstanceSpec], journal: inout Journal, now: Date
    ) async throws -> [String: InstanceObservation] {
        guard journal.store != nil else { return [:] }
        var observations: [String: InstanceObservation] = [:]
        observations.reserveCapacity(byName.count)
        for wave in plan.waves {
            for member in wave.members {
                guard let spec = byName[member.name] else { continue }
                let facts = try await journal.facts(member.name)
                var lastRun = facts.lastRun
                // A deferred instance leaves no operation behind; outside its window, an upgrade waits for it.
                if lastRun != .failed, spec.version >= plan.version, (facts.running ?? spec.version) < plan.version,
                    !spec.maintenanceWindow.contains(now)
                {
                    lastRun = .deferred
                }
                observations[member.name] = InstanceObservation(
                    name: member.name, desired: spec.version, running: facts.running, lastRun: lastRun,
                    healthyAt: facts.healthyAt)
            }
        }
        return observations
    }
}

extension RolloutState.Journal {
    /// What the journal and the record say of an instance, whatever the release.
    struct Facts {
        var running: Version?
        /// How its newest operation ended.
        var lastRun: LastRun?
        var healthyAt: Date?
    }

    /// The instance's facts, worked out on first use and kept: `cloudctl report` evaluates up to five releases over
    /// the whole fleet, and each would otherwise go through the same operations again.
    mutating func facts(_ name: String) async throws -> Facts {
        if let known = facts[name] { return known }
        let operations = try await operations(name)
        let lastRun: LastRun? = operations.first.map {
            switch $0.result {
            case .succeeded: .succeeded
            case .failed, .interrupted: .failed
            case .deferred: .deferred
            case .running, .cancelled, .skipped: .other
            }
        }
        // Bake time counts from the last passed health check; an instance that never had one (provisioned at
        // the version) from its last successful apply.
        let lastCheck = operations.lazy.flatMap(\.steps).first {
            $0.action == .healthCheck && $0.status == .succeeded
        }
        let lastSuccess = operations.first { $0.result == .succeeded }
        let found = Facts(
            running: try await running(name), lastRun: lastRun,
            healthyAt: lastCheck?.finishedAt ?? lastSuccess.flatMap { $0.finishedAt ?? $0.startedAt })
        facts[name] = found
        return found
    }
}

extension RolloutDecisionRecord {
    /// What the gates read of it.
    var gateDecision: GateDecision {
        GateDecision(kind: GateDecision.Kind(rawValue: kind.rawValue)!, channel: channel, wave: wave, at: at)
    }
}
