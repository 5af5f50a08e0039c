import StateBackend

/// Renews the instance lock every third of the lease while a step runs, so a slow cloud call (an RDS create
/// takes many minutes) never lets the lease lapse and another apply take the instance over mid-step.
struct LeaseHeartbeat {
    var interval: Duration
    /// Extends the lease once; throws when it cannot.
    var renew: @Sendable () async throws -> Void

    init(interval: Duration, renew: @escaping @Sendable () async throws -> Void) {
        self.interval = interval
        self.renew = renew
    }

    init(run: InstanceRun) {
        let (store, name, holder, lease) = (run.store, run.name, run.options.holder, run.options.lockLease)
        self.init(interval: .seconds(max(lease / 3, 0.001))) {
            try await store.renewLock(instance: name, holder: holder, lease: lease)
        }
    }

    /// Runs `body` with the heartbeat beating; also says whether a renewal found the lock taken by someone else.
    func whileRunning<T>(_ body: () async -> T) async -> (value: T, lockLost: Bool) {
        let (interval, renew) = (interval, renew)
        // Unstructured and real-time: it must keep beating after Ctrl-C while the shielded call finishes.
        let beat = Task {
            while true {
                do { try await Task.sleep(for: interval) } catch { return false }  // cancelled: the step is over
                do {
                    try await renew()
                } catch  where Self.meansLockLost(error) {
                    return true  // someone else owns the instance now; beating on cannot win it back
                } catch {
                    // Transient (e.g. SQLITE_BUSY): the next beat, well within the lease, tries again.
                }
            }
        }
        let value = await body()
        beat.cancel()
        return (value, await beat.value)
    }

    static func meansLockLost(_ error: any Error) -> Bool {
        if error is LockHeldError { return true }
        if case .lockNotHeld = error as? StateBackendError { return true }
        return false
    }
}
