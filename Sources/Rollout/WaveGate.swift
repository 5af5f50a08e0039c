import Foundation
import FleetModel

/// How an instance's last apply ended, as the rollout needs it (the state store's result, without the store).
public enum LastRun: Hashable, Sendable {
    case succeeded, failed, deferred, other
}

/// What is known about one instance for a rollout: its file, and what the state store recorded.
public struct InstanceObservation: Hashable, Sendable {
    public var name: String
    /// The version its file names.
    public var desired: Version
    /// The version that passed its health check (recorded); nil when none is recorded.
    public var running: Version?
    public var lastRun: LastRun?
    /// When its last successful apply finished (the health check that moved `running`).
    public var healthyAt: Date?

    public init(name: String, desired: Version, running: Version?, lastRun: LastRun?, healthyAt: Date?) {
        self.name = name
        self.desired = desired
        self.running = running
        self.lastRun = lastRun
        self.healthyAt = healthyAt
    }
}

/// Where one instance stands in the rollout of a version.
public enum InstanceProgress: Hashable, Sendable {
    /// Runs the version (or a newer one), health-checked.
    case healthy(at: Date?)
    /// Its file names the version and its last apply failed.
    case failed
    /// Its file names the version; its last apply waited for the maintenance window.
    case waiting
    /// Its file names the version; not applied yet.
    case applying
    /// Its file still names an older version.
    case notStarted

    /// Classifies `observation` for the rollout of `version`.
    public init(_ observation: InstanceObservation, version: Version) {
        if let running = observation.running, running >= version {
            self = .healthy(at: observation.healthyAt)
        } else if observation.desired < version {
            self = .notStarted
        } else {
            switch observation.lastRun {
            case .failed?: self = .failed
            case .deferred?: self = .waiting
            default: self = .applying
            }
        }
    }
}

/// A rollout decision the state store keeps (advance, approve, halt), as the gates read it.
public struct GateDecision: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable, CaseIterable { case advance, approve, halt }
    public var kind: Kind
    public var channel: String
    public var wave: String
    public var at: Date

    public init(kind: Kind, channel: String, wave: String, at: Date) {
        self.kind = kind
        self.channel = channel
        self.wave = wave
        self.at = at
    }
}

/// Why a wave may not start yet; `description` is the line `rollout advance` prints.
public enum GateClosure: Hashable, Sendable, CustomStringConvertible {
    /// The previous wave still has instances not running the version.
    case previousNotDone(wave: String, healthy: Int, total: Int, remaining: Int)
    /// The previous wave failed more instances than its budget allows and nobody approved past it.
    case halted(wave: String, failed: Int, total: Int, budget: Int)
    /// The previous wave has not stayed healthy for its bake time yet.
    case baking(wave: String, left: GateDuration, of: GateDuration)
    /// The wave asks for a person's approval first.
    case approvalNeeded(wave: String)

    public var description: String {
        switch self {
        case let .previousNotDone(wave, healthy, total, remaining):
            "wave \(wave): \(healthy) of \(total) healthy, \(remaining) still to apply or fix"
        case let .halted(wave, failed, total, budget):
            "wave \(wave): \(failed) of \(total) failed, budget \(budget) — halted"
        case let .baking(wave, left, of):
            "wave \(wave): bake \(GateDuration.rounded(left)) of \(of) left"
        case .approvalNeeded(let wave):
            "wave \(wave): needs approval (rollout advance VERSION --approve \(wave))"
        }
    }
}

extension GateDuration {
    /// `left` in the unit people read a wait in, rounded up: "31h", "12m", "5s".
    static func rounded(_ left: GateDuration) -> String {
        let seconds = (left.milliseconds + 999) / 1000
        if seconds >= 7200 { return "\((seconds + 3599) / 3600)h" }
        if seconds >= 120 { return "\((seconds + 59) / 60)m" }
        return "\(seconds)s"
    }
}

/// Where one wave stands, and whether it may start.
public struct WaveStatus: Hashable, Sendable {
    /// The wave's own progress.
    public enum State: String, Hashable, Sendable {
        case notStarted = "not started"
        case inProgress = "in progress"
        case done
        /// More failures than the budget allows, and no approval past them.
        case halted
    }

    public var wave: RolloutWave
    public var total: Int
    /// Files naming the version (or newer).
    public var onVersion: Int
    public var healthy: Int
    public var failed: Int
    public var waiting: Int
    /// Files naming the version, not applied yet.
    public var applying: Int
    /// Files still naming an older version.
    public var notStarted: Int
    public var state: State
    /// Failures the wave tolerates.
    public var budget: Int
    /// Why the wave may not start (or take more instances); empty when its gates are open.
    public var closures: [GateClosure]
    /// Bake time still to wait after this wave before the next starts (nil when done baking or not done yet).
    public var bakeLeft: GateDuration?
    /// First `advance` of this wave, as recorded.
    public var startedAt: Date?
    /// When its last instance passed its health check, once every instance has.
    public var finishedAt: Date?
    /// Names of its failed instances.
    public var failedInstances: [String]
}

/// The gates between waves (values in, values out; the clock is an argument).
public enum WaveGate {
    /// Every wave of `plan` with its progress and gates, in rollout order.
    ///
    /// A wave may start once the previous wave of its channel is done (every instance healthy or failed, failures
    /// within its budget or approved past), has baked for its `bake` since its last health check, and (with
    /// `approval`) someone approved it. `requirePreviousDone: false` checks only the configured gates (bake, budget,
    /// approval): the executor's view, where the previous wave of the same apply just ran.
    public static func evaluate(
        _ plan: RolloutPlan, observations: [String: InstanceObservation], decisions: [GateDecision], now: Date,
        requirePreviousDone: Bool = true
    ) -> [WaveStatus] {
        var previousByChannel: [String: WaveStatus] = [:]
        var result: [WaveStatus] = []
        func decided(_ kind: GateDecision.Kind, _ wave: RolloutWave) -> [GateDecision] {
            decisions.filter { $0.kind == kind && $0.channel == wave.channel && $0.wave == wave.wave.name }
        }
        for wavePlan in plan.waves {
            let wave = wavePlan.wave
            let progress = wavePlan.members.map { member in
                observations[member.name].map { InstanceProgress($0, version: plan.version) }
                    ?? (member.hops.isEmpty ? .applying : .notStarted)
            }
            var status = WaveStatus(
                wave: wave, total: progress.count, onVersion: wavePlan.arrived.count, healthy: 0, failed: 0, waiting: 0,
                applying: 0, notStarted: 0, state: .notStarted, budget: 0, closures: [], bakeLeft: nil,
                startedAt: decided(.advance, wave).map(\.at).min(), finishedAt: nil, failedInstances: [])
            var lastHealthy: Date?
            for (member, state) in zip(wavePlan.members, progress) {
                switch state {
                case .healthy(let at):
                    status.healthy += 1
                    if let at { lastHealthy = max(lastHealthy ?? at, at) }
                case .failed:
                    status.failed += 1
                    status.failedInstances.append(member.name)
                case .waiting: status.waiting += 1
                case .applying: status.applying += 1
                case .notStarted: status.notStarted += 1
                }
            }
            status.budget = wave.wave.maxFailures?.allowed(of: status.total) ?? 0
            let approved = !decided(.approve, wave).isEmpty
            let settled = status.healthy + status.failed == status.total
            if status.failed > status.budget && !approved {
                status.state = .halted
            } else if settled {
                status.state = .done
                status.finishedAt = lastHealthy
            } else if status.total > status.notStarted {
                status.state = .inProgress
            }
            if let bake = wave.wave.bake, status.state == .done, let finished = status.finishedAt {
                let waited = Int64(now.timeIntervalSince(finished) * 1000)
                if waited < bake.milliseconds {
                    status.bakeLeft = GateDuration(milliseconds: bake.milliseconds - waited)
                }
            }
            // What holds this wave: its channel's previous wave, then its own approval.
            if let previous = previousByChannel[wave.channel] {
                let label = previous.wave.label
                if previous.state == .halted {
                    status.closures.append(
                        .halted(wave: label, failed: previous.failed, total: previous.total, budget: previous.budget))
                } else if requirePreviousDone && previous.state != .done {
                    status.closures.append(
                        .previousNotDone(
                            wave: label, healthy: previous.healthy, total: previous.total,
                            remaining: previous.total - previous.healthy - previous.failed))
                }
                if let left = previous.bakeLeft, let bake = previous.wave.wave.bake {
                    status.closures.append(.baking(wave: label, left: left, of: bake))
                }
            }
            if wave.wave.approval && !approved {
                status.closures.append(.approvalNeeded(wave: wave.label))
            }
            previousByChannel[wave.channel] = status
            result.append(status)
        }
        return result
    }
}
