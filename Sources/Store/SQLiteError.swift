import CSQLite
import StateBackend

/// A failed SQLite call: result code, SQLite's message and the SQL text (bound values are never included).
public struct SQLiteError: Error, Sendable, CustomStringConvertible {
    /// Extended SQLite result code, e.g. `SQLITE_CONSTRAINT_PRIMARYKEY`.
    public var code: Int32
    public var message: String
    public var sql: String?

    init(code: Int32, message: String, sql: String? = nil) {
        self.code = code
        self.message = message
        self.sql = sql
    }

    /// Reads the current error of `connection`; call right after the failing call, under the store's lock.
    init(code: Int32, connection: OpaquePointer?, sql: String? = nil) {
        let message =
            connection.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) }
            ?? String(cString: sqlite3_errstr(code))
        self.init(code: code, message: message, sql: sql)
    }

    /// SQLITE_CONSTRAINT_FOREIGNKEY (the extended-code macros are not imported into Swift).
    var isForeignKeyViolation: Bool { code == SQLITE_CONSTRAINT | (3 << 8) }

    public var description: String {
        var text = "SQLite error \(code) (\(String(cString: sqlite3_errstr(code)))): \(message)"
        if let sql { text += " in `\(sql)`" }
        return text
    }

    /// The backend-neutral error for this failure of the database at `path`.
    func backendError(path: String) -> StateBackendError {
        // The primary result code is the low byte of the extended one.
        switch code & 0xff {
        case SQLITE_BUSY, SQLITE_LOCKED: .locked(path: path)
        case SQLITE_NOTADB: .notADatabase(path: path)
        case SQLITE_READONLY: .readOnly(path: path)
        case SQLITE_CORRUPT, SQLITE_MISMATCH: .corrupt(path: path, message: description)
        default: .io(path: path, message: description)
        }
    }
}
