import StateBackend

/// A failed libpq call: what failed, PostgreSQL's SQLSTATE when the server answered, and its message (scrubbed of
/// the password; bound values are never included).
public struct PostgresError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure, for mapping to `StateBackendError`.
    public enum Kind: Sendable, Equatable {
        /// No connection: server unreachable, authentication refused, connection lost.
        case connection
        /// The server refused a statement.
        case statement
        /// A value read back does not fit its column's Swift type.
        case mismatch
    }

    public var kind: Kind
    /// SQLSTATE, e.g. `40P01` (deadlock detected); nil when the server did not answer.
    public var sqlState: String?
    public var message: String
    public var sql: String?

    init(_ kind: Kind, sqlState: String? = nil, message: String, sql: String? = nil) {
        self.kind = kind
        self.sqlState = sqlState
        self.message = message
        self.sql = sql
    }

    public var description: String {
        var text = "PostgreSQL error" + (sqlState.map { " \($0)" } ?? "") + ": \(message)"
        if let sql { text += " in `\(sql)`" }
        return text
    }

    /// Serialization failures and deadlocks: the transaction may be retried as a whole.
    var isRetryable: Bool { sqlState == "40001" || sqlState == "40P01" }

    /// The backend-neutral error for this failure of the database at `location`.
    func backendError(_ location: PostgresLocation) -> StateBackendError {
        switch kind {
        case .connection: .unreachable(database: location.redacted, message: message)
        case .mismatch: .corrupt(path: location.redacted, message: description)
        case .statement:
            // 25006: read-only transaction (a standby, or default_transaction_read_only).
            sqlState == "25006"
                ? .readOnly(path: location.redacted) : .io(path: location.redacted, message: description)
        }
    }
}
