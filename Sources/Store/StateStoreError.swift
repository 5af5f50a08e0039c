/// A state-store request that cannot be honoured (as opposed to an SQLite failure).
public enum StateStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownOperation(Int64)
    case unknownStep(Int64)
    /// `renewLock` by a holder whose lock was released or force-unlocked (and nobody holds it now).
    case lockNotHeld(instance: String, holder: String)
    /// The file has migrations this build does not know.
    case newerSchema(migration: String, path: String)

    public var description: String {
        switch self {
        case .unknownOperation(let id): "no operation with id \(id) in the state database"
        case .unknownStep(let id): "no step with id \(id) in the state database"
        case .lockNotHeld(let instance, let holder):
            "the lock on \(instance) is no longer held by \(holder) (released or force-unlocked); stop and re-run"
        case .newerSchema(let migration, let path):
            "\(path) was written by a newer cloudctl (unknown migration \(migration)); upgrade cloudctl"
        }
    }
}
