import Synchronization

/// Lookups shared by all steps of one provider, by key: concurrent steps run one lookup and later steps skip it.
/// Hosted zones use it so concurrent instances of a fleet ensure the zone once (no duplicate zones, which Route 53
/// would allow under a new caller reference); availability zones so each region is described once per run.
final class LookupCache<Value: Sendable>: Sendable {
    private let lookups = Mutex<[String: Task<Value, any Error>]>([:])

    /// The value, from the first caller's `lookUp`; a failed lookup is forgotten so a retry runs it again.
    func value(for key: String, lookUp: @escaping @Sendable () async throws -> Value) async throws -> Value {
        let task = lookups.withLock { lookups in
            if let running = lookups[key] { return running }
            let task = Task { try await lookUp() }
            lookups[key] = task
            return task
        }
        do { return try await task.value } catch {
            lookups.withLock { if $0[key] == task { $0[key] = nil } }
            throw error
        }
    }
}

/// Hosted zone ids by zone name.
typealias HostedZoneCache = LookupCache<String>
