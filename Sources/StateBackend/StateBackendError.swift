import FleetModel

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
    /// The file is not a database at all (e.g. `--db` names some other file).
    case notADatabase(path: String)
    /// The file has migrations this build does not know.
    case newerSchema(migration: String, path: String)
    /// A read-only command found migrations it needs but may not apply (the file predates this cloudctl).
    case olderSchema(missing: String, path: String)
    /// No state database at the path, for a command that needs one and does not create it.
    case missing(path: String)
    /// The database belongs to another fleet than the repository's files.
    case otherFleet(path: String, recorded: String, files: String)
    /// A command that writes found the file (or its directory) read-only.
    case readOnly(path: String)
    /// Any other failure to open, read or write the state file.
    case io(path: String, message: String)
    /// A database server (PostgreSQL) refused the connection or could not be reached; `database` shows no password.
    case unreachable(database: String, message: String)

    /// The path of the state file, when the failure is about it.
    public var path: String? {
        switch self {
        case .unknownOperation, .unknownStep, .lockNotHeld: nil
        case .locked(let path), .corrupt(let path, _), .notADatabase(let path), .newerSchema(_, let path),
            .olderSchema(_, let path), .missing(let path), .otherFleet(let path, _, _), .readOnly(let path),
            .io(let path, _), .unreachable(let path, _):
            path
        }
    }

    /// What went wrong (first) and what to do about it (second).
    private var parts: (summary: String, next: String) {
        switch self {
        case .unknownOperation(let id):
            ("no operation with id \(id) in the state database", "run `cloudctl history` to see the journal")
        case .unknownStep(let id):
            ("no step with id \(id) in the state database", "run `cloudctl history` to see the journal")
        case .lockNotHeld(let instance, let holder):
            ("the lock on \(instance) is no longer held by \(holder) (released or force-unlocked)", "stop and re-run")
        case .locked(let path):
            (
                "\(path) is busy: another cloudctl process kept it locked too long",
                "wait for that process (e.g. a running apply) to finish and run again"
            )
        case .corrupt(let path, let message):
            (
                "\(path) holds unreadable state (\(message))",
                "restore it from a backup, or inspect it with `sqlite3 \(path) 'PRAGMA integrity_check'`"
            )
        case .notADatabase(let path):
            (
                "\(path) is not a cloudctl state database",
                "check that --db (or CLOUDCTL_DB) names the state file; restore it from a backup if it was overwritten"
            )
        case .newerSchema(let migration, let path):
            (
                "\(path) was written by a newer cloudctl (unknown migration \(migration))",
                "upgrade cloudctl to the version that wrote it"
            )
        case .olderSchema(let missing, let path):
            (
                "\(path) was written by an older cloudctl (it lacks migration \(missing)); read-only commands do not "
                    + "upgrade it", "run `cloudctl apply` once with this cloudctl to upgrade the file"
            )
        case .missing(let path):
            (
                "no state database at \(path)",
                "check --repo, --db or CLOUDCTL_DB; `cloudctl apply` creates the database on its first run"
            )
        case .otherFleet(let path, let recorded, let files):
            (
                "\(path) belongs to fleet '\(recorded)', but the instance files are fleet '\(files)'",
                "pass --db with fleet '\(files)''s state database, or --repo with fleet '\(recorded)''s files"
            )
        case .readOnly(let path):
            (
                "\(path) is read-only",
                "give this user write access to the file and its directory, or pass --db with a "
                    + "writable copy; read-only commands (plan, status, history) work as is"
            )
        case .io(let path, let message):
            (
                "cannot use the state database \(path): \(message)",
                "check the path, its permissions and free disk space"
            )
        case .unreachable(let database, let message):
            (
                "cannot connect to the state database \(database): \(message)",
                "check the URL's host, port, user and database, the password (in the URL or PGPASSWORD) and "
                    + "that the server is running"
            )
        }
    }

    public var description: String { "\(parts.summary); \(parts.next)" }

    /// The failure as the CLI shows it: the summary (naming the state file) and what to do next.
    public var diagnostic: Diagnostic {
        .error(parts.summary, detail: parts.next.prefix(1).uppercased() + parts.next.dropFirst() + ".")
    }
}
