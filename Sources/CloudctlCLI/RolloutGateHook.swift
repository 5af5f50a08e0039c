import Foundation
import FleetModel
import Rollout
import StateBackend

/// The executor's gate between waves: the same `WaveGate` as `rollout advance`, read fresh from the state store
/// when the wave's turn comes. It holds upgrades only; other changes never wait for a rollout gate.
enum RolloutGateHook {
    static func make(
        fleet: Fleet, specs: [InstanceSpec], store: any StateBackend, now: @escaping @Sendable () -> Date
    ) -> @Sendable (Int, [InstancePlan]) async -> [String: String] {
        let byName = Dictionary(specs.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        return { wave, plans in
            var byVersion: [Version: [InstancePlan]] = [:]
            for plan in plans {
                let target = plan.changes.lazy.compactMap { change -> Version? in
                    if case .upgrade(_, let to, _) = change { return to }
                    return nil
                }.first
                if let target { byVersion[target, default: []].append(plan) }
            }
            var held: [String: String] = [:]
            for (version, plans) in byVersion {
                do {
                    // The previous wave of this apply just ran: only the configured gates count here.
                    let state = try await RolloutState.load(
                        version: version, fleet: fleet, specs: specs, store: store, now: now(),
                        requirePreviousDone: false)
                    for plan in plans {
                        guard let channel = byName[plan.name]?.channel,
                            let status = state.statuses.first(where: {
                                $0.wave.channel == channel && $0.wave.index == wave
                            }),
                            !status.closures.isEmpty
                        else { continue }
                        held[plan.name] =
                            "rollout gate closed: " + status.closures.map(\.description).joined(separator: "; ")
                            + "; " + RolloutStatusView.advice(status.closures, version)
                    }
                } catch {
                    for plan in plans { held[plan.name] = "rollout gates could not be read: \(error)" }
                }
            }
            return held
        }
    }
}
