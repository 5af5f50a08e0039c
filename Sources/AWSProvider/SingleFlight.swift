import Synchronization

/// Runs one ensure per key at a time within this process: concurrent callers with the same key share the running
/// one's result. Nothing is kept after it finishes, so a later call looks at the cloud again.
final class SingleFlight<T: Sendable>: Sendable {
    private let running = Mutex<[String: Task<T, any Error>]>([:])

    func run(_ key: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let task = running.withLock { running in
            if let task = running[key] { return task }
            let task = Task { try await body() }
            running[key] = task
            return task
        }
        defer { running.withLock { if $0[key] == task { $0[key] = nil } } }
        return try await task.value
    }
}
