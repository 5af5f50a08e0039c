import Foundation
import FleetModel
import Executor
import StateBackend

/// What the runners of one sharded apply share: the whole plan's identity, and each runner's part of the plan.
enum SharedRun {
    /// Same for every runner that plans the same files into `shard.count` shards (with the same `--run-id`),
    /// whenever it starts: it hashes what the files say (names, waves, spec fingerprints), not recorded state, which
    /// changes as soon as the first runner applies something.
    static func identity(of plan: Plan, shards: Int, runId: String?) -> String {
        var text = "cloudctl-run 1\nfleet=\(plan.fleet)\ntool=\(plan.toolVersion)\nshards=\(shards)\n"
        text += "run=\(runId.map { "\($0.utf8.count):\($0)" } ?? "-")\n"
        for instance in plan.instances where instance.status != .orphaned {
            text += "\(instance.name) \(instance.wave) \(instance.specFingerprint)\n"
        }
        return ContentHash.sha256Hex(text)
    }

    /// The instances of `plan` that belong to `shard`, in plan order.
    static func part(of plan: Plan, for shard: Shard) -> Plan {
        var part = Plan(
            toolVersion: plan.toolVersion, fleet: plan.fleet,
            instances: plan.instances.filter { shard.contains($0.name) })
        part.formatVersion = plan.formatVersion
        return part
    }

    /// The barrier this runner meets the others at, reporting waits through `printer`.
    static func barrier(
        of plan: Plan, shard: Shard, options: ApplyOptions, store: any StateBackend, holder: String,
        printer: ProgressPrinter, clock: @escaping @Sendable () -> Date
    ) -> StateWaveBarrier {
        var barrier = StateWaveBarrier(
            store: store, run: identity(of: plan, shards: shard.count, runId: options.runId), shard: shard,
            waves: Set(plan.instances.map(\.wave)).sorted(), holder: holder, timeout: options.waveTimeout,
            stopOnFailure: !options.continueAfterFailedWave)
        barrier.clock = clock
        barrier.onWait = { wait in
            let shards = wait.waitingFor.map { "\($0)/\(wait.shards)" }.joined(separator: ", ")
            printer.note(
                "Shard \(shard): wave \(wait.wave + 1) done here; "
                    + "waiting for shard\(wait.waitingFor.count == 1 ? "" : "s") "
                    + "\(shards) (\(Int(wait.waited)) s of \(Int(options.waveTimeout)) s)")
        }
        return barrier
    }
}
