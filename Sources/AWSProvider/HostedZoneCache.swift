import Synchronization

/// Hosted zone ids by zone name, shared by all steps of one provider: concurrent instances of a fleet ensure the
/// zone once (no duplicate zones, which Route 53 would allow under a new caller reference) and later steps skip the lookup.
final class HostedZoneCache: Sendable {
    private let lookups = Mutex<[String: Task<String, any Error>]>([:])

    /// The zone id, from the first caller's `ensure`; a failed lookup is forgotten so a retry runs it again.
    func id(for zone: String, ensure: @escaping @Sendable () async throws -> String) async throws -> String {
        let task = lookups.withLock { lookups in
            if let running = lookups[zone] { return running }
            let task = Task { try await ensure() }
            lookups[zone] = task
            return task
        }
        do { return try await task.value } catch {
            lookups.withLock { if $0[zone] == task { $0[zone] = nil } }
            throw error
        }
    }
}
