/// Renews the instance lock every third of the lease while a step runs, so a slow cloud call (an RDS create
/// takes many minutes) never lets the lease lapse and another apply take the instance over mid-step.
struct LeaseHeartbeat {
    var run: InstanceRun

    func whileRunning<T>(_ body: () async -> T) async -> T {
        let (store, name, holder, lease, clock) = (run.store, run.name, run.options.holder, run.options.lockLease, run.clock)
        // Unstructured and real-time: it must keep beating after Ctrl-C while the shielded call finishes.
        let beat = Task {
            while true {
                try await Task.sleep(for: .seconds(max(lease / 3, 0.001)))
                try store.renewLock(instance: name, holder: holder, lease: lease, now: clock())
            }
        }
        defer { beat.cancel() }
        return await body()
    }
}
