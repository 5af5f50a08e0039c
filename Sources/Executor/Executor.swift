import Foundation
import FleetModel
import ProviderAPI
import Planner
import StateBackend

/// Something that reports progress of an apply (terminal live lines, plain timestamped lines, tests).
public protocol ApplyObserver: Sendable {
    func instanceStarted(_ name: String, steps: Int)
    func stepStarted(_ name: String, index: Int, of total: Int, step: PlanStep)
    func stepRetrying(_ name: String, step: PlanStep, attempt: Int, error: CloudError, delay: Duration)
    func stepFinished(_ name: String, index: Int, step: PlanStep, status: StepStatus, error: String?)
    func instanceFinished(_ name: String, result: OperationResult)
    /// The instance's lock is held by another runner and this apply waits for it (`--lock-timeout`).
    func instanceWaitingForLock(_ name: String, holder: String)
}

extension ApplyObserver {
    public func instanceWaitingForLock(_ name: String, holder: String) {}
}

/// What an apply does when another runner holds an instance's lock.
public enum LockWait: Sendable, Equatable {
    /// Fail the instance at once, naming the holder.
    case fail
    /// Retry until the lock is free, for at most this long; then fail as above.
    case wait(TimeInterval)
    /// Leave the instance to the holder: reported `skipped`, naming it.
    case skip
}

/// Tunables of one apply.
public struct ExecutorOptions: Sendable {
    public var parallelism: Int = 8
    /// Retries after the first attempt for retryable cloud errors.
    public var maxRetries: Int = 5
    public var baseDelay: Duration = .milliseconds(200)
    public var maxDelay: Duration = .seconds(10)
    public var lockLease: TimeInterval = 300
    /// How long a cloud call may still run after Ctrl-C cancelled it before its step is journaled `interrupted`
    /// and the apply ends without it.
    public var interruptGrace: Duration = .seconds(3)
    /// Run disruptive steps even outside the instance's maintenance window.
    public var ignoreMaintenanceWindow: Bool = false
    /// Start later waves even when an earlier wave had failures (by default they are not started, so a bad
    /// release stops at the internal wave).
    public var continueAfterFailedWave: Bool = false
    /// Who holds the instance locks (e.g. `user@host pid 123`); shown to anyone who finds an instance locked.
    public var holder: String
    /// The apply run every journaled operation belongs to (run id, fleet commit); nil journals none.
    public var run: RunInfo?
    /// Whether a lock holder is a dead process whose lock may be taken over (injected in tests).
    public var isAbandonedHolder: @Sendable (String) -> Bool = LockHolder.isAbandoned
    /// Between waves: asked, once an earlier wave of this apply ran, which instances of the next wave may not start
    /// yet and why (a closed rollout gate: bake time, failure budget, approval). Nil means no gates.
    public var waveGate: (@Sendable (_ wave: Int, _ instances: [InstancePlan]) async -> [String: String])?
    /// Random source for retry jitter, returning a value in 0...1; tests inject a fixed one.
    public var jitter: @Sendable () -> Double = { Double.random(in: 0...1) }
    /// What to do when another runner holds an instance's lock.
    public var lockWait: LockWait = .fail
    /// How often a held lock is tried again while waiting for it.
    public var lockPollInterval: Duration = .seconds(1)
    /// Set for `apply --shard`: where this runner meets the other shards between waves; nil runs waves alone.
    public var waveBarrier: (any WaveBarrier)?
    public init(holder: String) { self.holder = holder }
}

/// Outcome of one instance in an apply.
public struct InstanceApplyResult: Sendable, Equatable {
    public var name: String
    public var result: OperationResult
    public var error: String?
    public init(name: String, result: OperationResult, error: String?) {
        self.name = name
        self.result = result
        self.error = error
    }
}

/// Outcome of a whole apply; the CLI exits 1 unless every instance succeeded.
public struct ApplyReport: Sendable, Equatable {
    public var instances: [InstanceApplyResult]
    public init(instances: [InstanceApplyResult]) { self.instances = instances }
    public var succeeded: Bool {
        instances.allSatisfy { $0.result == .succeeded || $0.result == .deferred || $0.result == .skipped }
    }
}

/// Runs a plan: per-instance locks, journaled steps, bounded parallelism, retries, cancellation.
///
/// Instances without work (status other than `planned`, or no steps) are not run and are left out of the report.
/// Instances never started (apply cancelled, or an earlier wave failed) are reported `cancelled` with no lock taken and
/// nothing journaled. The observer hears `instanceStarted` only once the lock is held; `instanceFinished` comes for
/// every reported instance.
public struct Executor: Sendable {
    private let store: any StateBackend
    private let provider: any CloudProvider
    private let options: ExecutorOptions
    private let observer: any ApplyObserver
    private let clock: @Sendable () -> Date
    private let sleep: @Sendable (Duration) async throws -> Void

    public init(
        store: any StateBackend, provider: any CloudProvider, options: ExecutorOptions,
        observer: any ApplyObserver, clock: @escaping @Sendable () -> Date = { Date() },
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) {
        self.store = store
        self.provider = provider
        self.options = options
        self.observer = observer
        self.clock = clock
        self.sleep = sleep
    }

    /// Every step of `plan` the provider could not carry out as written, as "instance: step N (…): problem"; checked
    /// before the first cloud call, so a plan that would stop half-way never starts (gitops-engine's dry run).
    public func check(_ plan: Plan) -> [String] {
        plan.instances.flatMap { instance in
            instance.steps.enumerated().compactMap { index, step in
                provider.check(step).map {
                    "\(instance.name): step \(index + 1) (\(step.action.rawValue) \(step.resource.rawValue)): \($0)"
                }
            }
        }
    }

    /// Applies `plan`; it carries everything the run needs (no instance or fleet file is read). Cancellation of the
    /// calling task stops new steps. An instance named more than once (a hand-edited plan) is not run at all: two
    /// runs of it would share one lock.
    public func apply(_ plan: Plan) async -> ApplyReport {
        let runs = plan.instances
            .filter { $0.status == .planned && $0.hasChanges }
            .map {
                InstanceRun(
                    plan: $0, fleet: plan.fleet, store: store, provider: provider, options: options,
                    observer: observer, clock: clock, sleep: sleep)
            }
        let counts = Dictionary(runs.map { ($0.name, 1) }, uniquingKeysWith: +)
        var results: [String: InstanceApplyResult] = [:]
        for run in runs where counts[run.name]! > 1 && results[run.name] == nil {
            results[run.name] = run.notStarted(
                .failed,
                "not started: the plan names \(run.name) \(counts[run.name]!) times; "
                    + "run `cloudctl plan` again")
        }
        // Wave k finishes completely before wave k+1 starts; a wave that failed anything stops the rollout there,
        // since it has not shown the release works (later instances are cancelled). A deferred instance (outside its
        // window) holds later instances only where they carry the same kind of change (`InstanceIntent.rolloutKey`):
        // they are deferred too, and the next apply inside the window goes on. Other changes proceed.
        var failedWave: Int?
        var deferredChanges: [String: Int] = [:]
        // Sharded: the other shards' verdict at the last wave boundary (nil while they all finished cleanly).
        var barrierStop: String?
        let barrier = options.waveBarrier
        if let barrier {
            do { try await barrier.begin() } catch { barrierStop = "not started: wave barrier (state store: \(error))" }
        }
        let waves = Set(runs.map(\.plan.wave)).union(barrier?.waves ?? []).sorted()
        var ranEarlierWave = false
        for wave in waves {
            let waveRuns = runs.filter { $0.plan.wave == wave && counts[$0.name] == 1 }
            var toRun: [InstanceRun] = []
            var waveResults: [InstanceApplyResult] = []
            for run in waveRuns {
                let heldBy = run.plan.changes.lazy.flatMap(\.rolloutKeys).compactMap { deferredChanges[$0] }.first
                if let barrierStop {
                    waveResults.append(run.notStarted(.cancelled, barrierStop))
                } else if let failedWave, !options.continueAfterFailedWave {
                    waveResults.append(
                        run.notStarted(
                            .cancelled,
                            "not started: wave \(failedWave) of the plan had "
                                + "failures; fix them and apply again, or pass --continue-after-failed-wave"))
                } else if Task.isCancelled {
                    waveResults.append(run.notStarted(.cancelled, InstanceRun.cancelledBeforeStart))
                } else if let heldBy, !options.continueAfterFailedWave {
                    waveResults.append(
                        run.notStarted(
                            .deferred,
                            "not started: wave \(heldBy) had deferred instances "
                                + "with the same change (outside their maintenance window); "
                                + "apply again inside it, or pass "
                                + "--continue-after-failed-wave"))
                } else {
                    toRun.append(run)
                }
            }
            // A closed gate holds its instances before the wave starts; others of the wave go on.
            if let gate = options.waveGate, ranEarlierWave, !toRun.isEmpty, !Task.isCancelled {
                let held = await gate(wave, toRun.map(\.plan))
                for run in toRun {
                    if let reason = held[run.name] {
                        waveResults.append(run.notStarted(.cancelled, "not started: \(reason)"))
                    }
                }
                toRun.removeAll { held[$0.name] != nil }
            }
            ranEarlierWave = ranEarlierWave || !toRun.isEmpty
            waveResults += await mapBounded(toRun, limit: options.parallelism, { await $0.run() })
            for result in waveResults { results[result.name] = result }
            if failedWave == nil, waveResults.contains(where: { $0.result == .failed }) {
                failedWave = wave
            }
            for run in toRun where results[run.name]?.result == .deferred {
                for key in run.plan.changes.flatMap(\.rolloutKeys) where deferredChanges[key] == nil {
                    deferredChanges[key] = wave
                }
            }
            if let barrier, barrierStop == nil,
                failedWave == nil || failedWave == wave || options.continueAfterFailedWave
            {
                // Cancelled (Ctrl-C) counts as failed: the wave did not finish in this shard.
                let failed = waveResults.contains { [.failed, .cancelled, .interrupted].contains($0.result) }
                // Waiting only holds back this shard's later instances: with none left (or once its own failure
                // stopped its rollout) it records the wave and moves on.
                let laterWork = runs.contains { $0.plan.wave > wave }
                let waits = laterWork && (!failed || options.continueAfterFailedWave)
                if case .stop(let reason) = await barrier.finish(wave: wave, failed: failed, waits: waits) {
                    barrierStop = reason
                }
            }
        }
        var reported = Set<String>()
        return ApplyReport(instances: runs.compactMap { reported.insert($0.name).inserted ? results[$0.name] : nil })
    }
}

extension RetryPolicy {
    /// The executor's step-level policy.
    init(options: ExecutorOptions) {
        self.init(
            maxRetries: options.maxRetries, baseDelay: options.baseDelay, maxDelay: options.maxDelay,
            random: options.jitter)
    }
}
