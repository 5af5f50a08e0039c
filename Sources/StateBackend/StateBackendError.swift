/// A state-backend failure, independent of the storage engine; each text names the state file and what to do.
public enum StateBackendError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No journaled operation with this id.
    case unknownOperation(Int64)
    /// No journaled step with this id.
    case unknownStep(Int64)
    /// `renewLock` by a holder whose lock was released or force-unlocked (and nobody holds it now).
    case lockNotHeld(instance: String, holder: String)
    /// The state file stayed locked by another process (another cloudctl) past the wait.
    case locked(path: String)
    /// The state file or a value in it is unreadable.
    case corrupt(path: String, message: String)
    /// The file has migrations this build does not know.
    case newerSchema(migration: String, path: String)
    /// Any other failure to open, read or write the state file.
    case io(path: String, message: String)

    public var description: String {
        switch self {
        case .unknownOperation(let id): "no operation with id \(id) in the state database"
        case .unknownStep(let id): "no step with id \(id) in the state database"
        case .lockNotHeld(let instance, let holder):
            "the lock on \(instance) is no longer held by \(holder) (released or force-unlocked); stop and re-run"
        case .locked(let path):
            "\(path) is busy: another cloudctl process kept it locked too long; wait for it to finish and run again"
        case .corrupt(let path, let message):
            "\(path) holds unreadable state (\(message)); restore it from a backup or inspect it with sqlite3"
        case .newerSchema(let migration, let path):
            "\(path) was written by a newer cloudctl (unknown migration \(migration)); upgrade cloudctl"
        case .io(let path, let message):
            "cannot use the state database \(path): \(message); check the path, its permissions and free disk space"
        }
    }
}
