import Foundation
import FleetModel
import ProviderAPI
import StateBackend

/// One apply of one instance: window check, lock, journal, steps in order with retries, recorded-state updates.
struct InstanceRun: Sendable {
    var plan: InstancePlan
    var fleet: String
    var store: any StateBackend
    var provider: any CloudProvider
    var options: ExecutorOptions
    var observer: any ApplyObserver
    var clock: @Sendable () -> Date
    var sleep: @Sendable (Duration) async throws -> Void

    var name: String { plan.name }

    func run() async -> InstanceApplyResult {
        let result = await runUnreported()
        observer.instanceFinished(name, result: result.result)
        return result
    }

    /// Why an instance whose turn came after Ctrl-C was not run.
    static let cancelledBeforeStart = "not started: apply cancelled"

    /// Reports an instance that is not run at all: no lock, no operation, no journal rows.
    func notStarted(_ result: OperationResult, _ reason: String) -> InstanceApplyResult {
        let result = InstanceApplyResult(name: name, result: result, error: reason)
        observer.instanceFinished(name, result: result.result)
        return result
    }

    private func runUnreported() async -> InstanceApplyResult {
        guard let target = plan.target else {
            return failed("the plan names \(name) but carries no target for it; re-run `cloudctl plan`")
        }
        if let window = windowBlockingDisruptiveSteps(target) {
            let reason =
                "has disruptive steps and is outside its maintenance window (\(window)); "
                + "apply again inside it, or pass --ignore-maintenance-window"
            await journalDeferral(reason)
            return InstanceApplyResult(name: name, result: .deferred, error: reason)
        }
        // Ctrl-C before this instance's turn: leave no lock or operation behind to clutter history and status.
        if Task.isCancelled {
            return InstanceApplyResult(name: name, result: .cancelled, error: Self.cancelledBeforeStart)
        }
        do {
            // Lock first: only then is a `running` step in the journal surely a leftover of a dead run, not a live one.
            try await acquireLock()
        } catch let held as LockHeldError {
            if options.lockWait == .skip {
                return InstanceApplyResult(
                    name: name, result: .skipped, error: "skipped: locked by \(held.lock.holder) (--skip-locked)")
            }
            let waited = if case .wait(let timeout) = options.lockWait { " (waited \(Int(timeout)) s)" } else { "" }
            return failed(
                "\(held)\(waited); if no other apply is running, clear it with `cloudctl unlock \(name)`, "
                    + "or pass --lock-timeout to wait for it")
        } catch is CancellationError {
            return InstanceApplyResult(name: name, result: .cancelled, error: Self.cancelledBeforeStart)
        } catch {
            return failed("state store: \(error)")
        }
        let result = await runLocked(target)
        // Best effort: a lock left behind expires with its lease, or is cleared with `cloudctl unlock`.
        try? await store.releaseLock(instance: name, holder: options.holder)
        return result
    }

    /// The instance's apply once its lock is held: journal the operation, run the steps.
    private func runLocked(_ target: InstanceTarget) async -> InstanceApplyResult {
        let operationId: Int64
        let unfinished: UnfinishedAttempts
        do {
            try await store.markInterrupted(instance: name, now: clock())
            // Read after the repair above, so a step a dead run left `running` counts as unfinished.
            unfinished = UnfinishedAttempts(
                newestFirst: plan.steps.isEmpty
                    ? [] : try await store.recentSteps(instance: name, limit: UnfinishedAttempts.lookBack))
            // A plan computed before another apply changed this instance would repeat or undo that apply's work.
            let recordedFingerprint = try await store.recordedInstance(name)?.fingerprint
            if recordedFingerprint ?? RecordedInstance.noneFingerprint != plan.recordedFingerprint {
                return failed(
                    "recorded state of \(name) changed since this plan was made (another apply?); "
                        + "run `cloudctl plan` again"
                )
            }
            operationId = try await store.beginOperation(
                instance: name, kind: "apply", holder: options.holder, run: options.run, now: clock())
        } catch {
            return failed("state store: \(error)")
        }
        observer.instanceStarted(name, steps: plan.steps.count)
        let (result, error) = await runSteps(operationId: operationId, target: target, unfinished: unfinished)
        try? await store.finishOperation(operationId, result: result, error: error, now: clock())
        return InstanceApplyResult(name: name, result: result, error: error)
    }

    /// A deferral is an event in history: an operation with no steps, finished `deferred`, no lock needed (it changes
    /// nothing). Best effort: failing to journal it must not turn a deferral into a failure.
    private func journalDeferral(_ reason: String) async {
        guard
            let id = try? await store.beginOperation(
                instance: name, kind: "apply", holder: options.holder, run: options.run, now: clock())
        else { return }
        try? await store.finishOperation(id, result: .deferred, error: reason, now: clock())
    }

    /// Takes the instance lock, waiting for it while `--lock-timeout` allows; throws the last `LockHeldError`.
    private func acquireLock() async throws {
        let start = clock()
        var reported = false
        while true {
            do {
                return try await takeLock()
            } catch let held as LockHeldError {
                guard case .wait(let timeout) = options.lockWait, clock().timeIntervalSince(start) < timeout else {
                    throw held
                }
                if !reported {
                    observer.instanceWaitingForLock(name, holder: held.lock.holder)
                    reported = true
                }
                try await sleep(options.lockPollInterval)
            }
        }
    }

    /// One try at the instance lock; a lock left by a dead process on this host is taken over at once.
    private func takeLock() async throws {
        do {
            try await store.acquireLock(instance: name, holder: options.holder, lease: options.lockLease)
        } catch let held as LockHeldError where options.isAbandonedHolder(held.lock.holder) {
            try await store.forceUnlock(instance: name)
            try await store.acquireLock(instance: name, holder: options.holder, lease: options.lockLease)
        }
    }

    /// The window, described, when it keeps this instance from running now; nil when it may run.
    private func windowBlockingDisruptiveSteps(_ target: InstanceTarget) -> String? {
        let window = target.maintenanceWindow
        guard plan.steps.contains(where: \.disruptive), !options.ignoreMaintenanceWindow, !window.contains(clock())
        else { return nil }
        let next = window.nextStart(after: clock()).map { "; next opens \(MaintenanceWindow.utcMinutes($0))" } ?? ""
        return "\(window.day.rawValue) \(window.start) for \(window.duration), \(window.timeZone)" + next
    }

    /// Runs the steps in order; returns the operation result and its error.
    private func runSteps(
        operationId: Int64, target: InstanceTarget, unfinished: UnfinishedAttempts
    ) async -> (OperationResult, String?) {
        var unfinished = unfinished
        var outcome: (OperationResult, String?) = (.succeeded, nil)
        var nextUnstarted = 0
        do {
            var recorded = try await store.recordedInstance(name)
            if plan.steps.isEmpty, var updated = recorded {
                // A change without steps (protection set or lifted) is recorded, and only that.
                updated.complete(as: target)
                try await store.saveRecorded(updated)
            }
            for (index, step) in plan.steps.enumerated() {
                if Task.isCancelled {
                    outcome = (.cancelled, "cancelled before step \(index + 1) of \(plan.steps.count)")
                    break
                }
                let stepId = try await store.beginStep(
                    operationId: operationId, instance: name, index: index, step: step, now: clock())
                nextUnstarted = index + 1
                outcome = await runStep(
                    stepId, index: index, step: step, target: target,
                    previousAttempt: unfinished.previousAttempt(of: step), recorded: &recorded)
                unfinished.attempted(step)
                if outcome.0 != .succeeded { break }
            }
        } catch {
            outcome = (.failed, "state store: \(error)")
        }
        let unstarted = plan.steps.enumerated().dropFirst(nextUnstarted).map { (index: $0.offset, step: $0.element) }
        if !unstarted.isEmpty {
            try? await store.recordNotStarted(operationId: operationId, instance: name, steps: unstarted, now: clock())
        }
        return outcome
    }

    /// One step, already journaled `running`: performed with retries, then journaled with its result and recorded.
    /// A state-store error finishes it `interrupted`, never leaving it `running`.
    private func runStep(
        _ stepId: Int64, index: Int, step: PlanStep, target: InstanceTarget, previousAttempt: PreviousAttempt,
        recorded: inout RecordedInstance?
    ) async -> (OperationResult, String?) {
        observer.stepStarted(name, index: index, of: plan.steps.count, step: step)
        let cloudIds = (recorded?.resources ?? [:]).compactMapValues { $0.cloudId.isEmpty ? nil : $0.cloudId }
        let context = StepContext(
            identity: InstanceIdentity(
                name: name, fleet: fleet, region: target.region,
                cloudIds: cloudIds, network: recorded?.network, labels: target.labels),
            previousAttempt: previousAttempt)
        let (attempt, heartbeatLostLock) = await LeaseHeartbeat(run: self).whileRunning {
            await StepAttempts(run: self, step: step).perform(context)
        }
        let cloudId = (try? attempt.result.get())?.cloudId
        let stepName = "step \(index + 1) (\(step.action.rawValue) \(step.resource.rawValue))"
        do {
            // Renewing also catches a loss the heartbeat did not beat into. Whoever owns the instance now has its
            // journal and recorded state: this run records nothing more for it.
            let lockGone = heartbeatLostLock ? true : try await lockLost()
            if lockGone {
                let message =
                    "the lock on \(name) was lost while the step ran (taken over, or `cloudctl unlock`); its "
                    + "outcome was not recorded; check `cloudctl status \(name)` and run `cloudctl plan` again"
                await finish(
                    stepId, index: index, .interrupted, attempts: attempt.attempts, cloudId: cloudId, error: message)
                return (.failed, "\(stepName) interrupted: \(message)")
            }
            switch attempt.result {
            case .success(let stepOutcome):
                var updated = recorded ?? .new(name, for: target)
                updated.record(step, outcome: stepOutcome, labels: target.labels)
                if index == plan.steps.count - 1 { updated.complete(as: target) }
                // Saved after every step so a crash after step k keeps steps 1…k.
                if updated != recorded { try await store.saveRecorded(updated) }
                recorded = updated
                try await store.finishStep(
                    stepId, status: .succeeded, attempts: attempt.attempts,
                    cloudId: stepOutcome.cloudId, note: stepOutcome.note, error: nil, now: clock())
                observer.stepFinished(name, index: index, step: step, status: .succeeded, error: nil)
                return (.succeeded, nil)
            case .failure(let failure) where failure.interrupted:
                // Journaled before the apply ends (and its lock goes), so a re-run knows the step may be half-done.
                await finish(
                    stepId, index: index, .interrupted, attempts: attempt.attempts, cloudId: nil,
                    error: failure.message)
                return (.interrupted, "\(stepName) \(failure.message)")
            case .failure(let failure):
                try await store.finishStep(
                    stepId, status: .failed, attempts: attempt.attempts, cloudId: nil, note: nil,
                    error: failure.message, now: clock())
                observer.stepFinished(name, index: index, step: step, status: .failed, error: failure.message)
                return (failure.cancelled ? .cancelled : .failed, "\(stepName) failed: \(failure.message)")
            }
        } catch {
            await finish(
                stepId, index: index, .interrupted, attempts: attempt.attempts, cloudId: cloudId,
                error: "state store: \(error)")
            return (.failed, "state store: \(error)")
        }
    }

    /// Whether another apply (or `cloudctl unlock`) took the lock; renews it otherwise.
    private func lockLost() async throws -> Bool {
        do {
            try await store.renewLock(instance: name, holder: options.holder, lease: options.lockLease)
            return false
        } catch  where LeaseHeartbeat.meansLockLost(error) {
            return true
        }
    }

    /// Journals how a step ended when that is all that is left to do for it (best effort) and tells the observer.
    private func finish(
        _ stepId: Int64, index: Int, _ status: StepStatus, attempts: Int, cloudId: String?,
        error: String
    ) async {
        try? await store.finishStep(
            stepId, status: status, attempts: attempts, cloudId: cloudId, note: nil, error: error, now: clock())
        observer.stepFinished(name, index: index, step: plan.steps[index], status: status, error: error)
    }

    private func failed(_ message: String) -> InstanceApplyResult {
        InstanceApplyResult(name: name, result: .failed, error: message)
    }
}
