import CSQLite
import Foundation

/// One SQLite connection. Not thread-safe by itself: its owner serializes every call on one queue
/// (see `SQLiteStateStore`), which is why it may be handed to that queue.
final class Database: @unchecked Sendable {
    let path: String
    private let connection: OpaquePointer

    /// How long a write waits for another connection (another cloudctl process) before failing with SQLITE_BUSY.
    static let busyTimeoutMilliseconds: Int32 = 30000

    /// Opens (creating if missing) the database at `path` and configures WAL, busy timeout and foreign keys.
    /// `readOnly` opens an existing file without writing anything: no WAL switch, no file created.
    init(path: String, readOnly: Bool = false) throws {
        let mode = readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
        var connection = try Self.open(path, flags: mode | SQLITE_OPEN_FULLMUTEX)
        if readOnly, let failure = Self.probe(connection), Self.needsImmutable(failure.code) {
            // A WAL file in a read-only directory: SQLite cannot create the shared-memory file readers need, so the
            // file is read as immutable (nobody can be writing it there anyway).
            sqlite3_close_v2(connection)
            // Immutable reads skip the WAL: refuse rather than show state without its latest changes.
            let wal = (try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0
            guard wal == 0 else {
                throw SQLiteError(
                    code: failure.code,
                    message: "\(path)-wal holds recent changes, and reading them "
                        + "needs write access to its directory: \(failure.message)")
            }
            let uri = "file:" + Self.uriPath(path) + "?immutable=1"
            connection = try Self.open(uri, flags: mode | SQLITE_OPEN_FULLMUTEX | SQLITE_OPEN_URI, shown: path)
        }
        self.path = path
        self.connection = connection
        sqlite3_extended_result_codes(connection, 1)
        sqlite3_busy_timeout(connection, Self.busyTimeoutMilliseconds)
        if readOnly {
            try execute("PRAGMA foreign_keys=ON;")
            // Reads the header now, so a file that is not a database fails here rather than at the first query.
            try execute("SELECT count(*) FROM sqlite_master")
        } else {
            try switchToWAL()
            // NORMAL is durable enough under WAL: a power loss can drop the last commits, never corrupt.
            try execute("PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;")
        }
    }

    /// Turns on WAL, waiting out other processes doing the same. Switching the journal mode of a new file needs
    /// an exclusive lock, and SQLite returns SQLITE_BUSY for it at once instead of calling the busy handler; so two
    /// runners started together on a new file would see one fail. Retry for as long as the busy timeout.
    private func switchToWAL() throws {
        let deadline = Date().addingTimeInterval(Double(Self.busyTimeoutMilliseconds) / 1000)
        while true {
            do {
                try execute("PRAGMA journal_mode=WAL")
                return
            } catch let error as SQLiteError where error.code & 0xff == SQLITE_BUSY && Date() < deadline {
                usleep(UInt32.random(in: 5000...25000))
            }
        }
    }

    private static func open(_ name: String, flags: Int32, shown path: String? = nil) throws -> OpaquePointer {
        var connection: OpaquePointer?
        let code = sqlite3_open_v2(name, &connection, flags, nil)
        guard code == SQLITE_OK, let connection else {
            let error = SQLiteError(code: code, connection: connection, sql: nil)
            sqlite3_close_v2(connection)
            throw SQLiteError(code: error.code, message: "cannot open \(path ?? name): \(error.message)")
        }
        return connection
    }

    /// The error of a first read on `connection`, nil when it reads.
    private static func probe(_ connection: OpaquePointer) -> SQLiteError? {
        let sql = "SELECT count(*) FROM sqlite_master"
        let code = sqlite3_exec(connection, sql, nil, nil, nil)
        return code == SQLITE_OK ? nil : SQLiteError(code: sqlite3_extended_errcode(connection), connection: connection)
    }

    /// Whether a read-only open failed only for want of write access to the WAL's side files.
    private static func needsImmutable(_ code: Int32) -> Bool {
        let primary = code & 0xff
        return primary == SQLITE_CANTOPEN || primary == SQLITE_READONLY || primary == SQLITE_IOERR
    }

    /// `path` escaped for a `file:` URI.
    private static func uriPath(_ path: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "?#%")
        return path.addingPercentEncoding(withAllowedCharacters: allowed) ?? path
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
    func query<T>(_ sql: String, _ arguments: any SQLiteValueConvertible..., row: (Statement) throws -> T) throws -> [T]
    {
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
