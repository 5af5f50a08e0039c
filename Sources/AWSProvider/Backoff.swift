import FleetModel
import ProviderAPI

/// Bounded exponential backoff for polling the cloud until a resource reaches a state; never a tight loop.
struct Backoff: Sendable {
    var initial: Duration = .seconds(1)
    var maximum: Duration = .seconds(20)
    var attempts: Int = 30

    /// For slow resources (RDS create/modify/delete): same curve, more tries (≈ 20 minutes).
    var patient: Backoff { Backoff(initial: initial, maximum: maximum, attempts: attempts * 2) }

    /// Calls `check` until it returns a value, sleeping `initial`, 2×, 4× … (capped at `maximum`) in between.
    /// Throws `WaitTimeout` after `attempts` tries, retryable (`.server`): a slow RDS create or snapshot can outlast
    /// one wait, and every waiting step is safe to re-run (resources are found by name, snapshots and migration tasks
    /// reused).
    func poll<T>(_ what: String, operation: String, _ check: () async throws -> T?) async throws -> T {
        var delay = initial
        for attempt in 1...max(attempts, 1) {
            if let value = try await check() { return value }
            if attempt < attempts {
                try await Task.sleep(for: delay)
                delay = min(delay * 2, maximum)
            }
        }
        throw CloudError(
            kind: .server, operation: operation, code: "WaitTimeout",
            message: "gave up waiting for \(what) after \(attempts) checks; run apply again to keep waiting")
    }
}
