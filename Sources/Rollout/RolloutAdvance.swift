import FleetModel

/// What `rollout advance` does for one channel: move a wave's files to the release, or say what holds it.
public enum AdvanceStep: Hashable, Sendable {
    /// Set `version` in these instances' files (the wave's gates are open).
    case edit(RolloutWave, [RolloutMember])
    /// The next wave to edit may not start yet.
    case held(RolloutWave, [GateClosure])
}

/// Picks the next wave to move per channel (values in, values out).
public enum RolloutAdvance {
    /// Per channel with files still to change, in rollout order: the first wave holding such files, edited when its
    /// gates are open, held otherwise. Empty when every file names the release (the rollout may still be applying).
    public static func next(_ plan: RolloutPlan, statuses: [WaveStatus]) -> [AdvanceStep] {
        var seen = Set<String>()
        var steps: [AdvanceStep] = []
        for (wavePlan, status) in zip(plan.waves, statuses) where !wavePlan.upgrades.isEmpty {
            guard seen.insert(wavePlan.wave.channel).inserted else { continue }
            steps.append(
                status.closures.isEmpty
                    ? .edit(wavePlan.wave, wavePlan.upgrades) : .held(wavePlan.wave, status.closures))
        }
        return steps
    }
}
