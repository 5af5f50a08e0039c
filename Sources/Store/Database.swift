import CSQLite

/// One SQLite connection. Not thread-safe by itself: its owner serializes every call on one queue
/// (see `SQLiteStateStore`), which is why it may be handed to that queue.
final class Database: @unchecked Sendable {
    let path: String
    private let connection: OpaquePointer

    /// How long a write waits for another connection (another cloudctl process) before failing with SQLITE_BUSY.
    static let busyTimeoutMilliseconds: Int32 = 5000

    /// Opens (creating if missing) the database at `path` and configures WAL, busy timeout and foreign keys.
    init(path: String) throws {
        var connection: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX
        let code = sqlite3_open_v2(path, &connection, flags, nil)
        guard code == SQLITE_OK, let connection else {
            let error = SQLiteError(code: code, connection: connection, sql: nil)
            sqlite3_close_v2(connection)
            throw SQLiteError(code: error.code, message: "cannot open \(path): \(error.message)")
        }
        self.path = path
        self.connection = connection
        sqlite3_extended_result_codes(connection, 1)
        sqlite3_busy_timeout(connection, Self.busyTimeoutMilliseconds)
        // NORMAL is durable enough under WAL: a power loss can drop the last commits, never corrupt.
        try execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;")
    }

    deinit { sqlite3_close_v2(connection) }

    /// Runs one or more SQL statements without arguments (schema, pragmas).
    func execute(_ sql: String) throws {
        let code = sqlite3_exec(connection, sql, nil, nil, nil)
        guard code == SQLITE_OK else { throw SQLiteError(code: code, connection: connection, sql: sql) }
    }

    func prepare(_ sql: String) throws -> Statement {
        try Statement(connection: connection, sql: sql)
    }

    /// Runs one statement to completion; returns the number of rows it changed.
    @discardableResult
    func run(_ sql: String, _ arguments: any SQLiteValueConvertible...) throws -> Int {
        let statement = try prepare(sql)
        try statement.bind(arguments)
        while try statement.step() {}
        return Int(sqlite3_changes(connection))
    }

    /// Runs a query and maps every row.
    func query<T>(_ sql: String, _ arguments: any SQLiteValueConvertible..., row: (Statement) throws -> T) throws -> [T] {
        let statement = try prepare(sql)
        try statement.bind(arguments)
        var rows: [T] = []
        while try statement.step() { rows.append(try row(statement)) }
        return rows
    }

    var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(connection) }

    /// Runs `body` in a write transaction, rolled back when it throws.
    /// IMMEDIATE takes the write lock up front, so a competing process waits on the busy timeout
    /// instead of failing when a read transaction later tries to upgrade.
    func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }
}
