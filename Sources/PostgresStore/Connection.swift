import CLibPQ
import Foundation

/// One libpq connection. Not thread-safe by itself: its owner serializes every call on one queue
/// (see `PostgresStateStore`), which is why it may be handed to that queue.
final class Connection: @unchecked Sendable {
    let location: PostgresLocation
    private let handle: OpaquePointer
    /// Session settings (e.g. read-only), applied again after a reconnect.
    private var sessionSettings: [String] = []

    /// Connects to `location`; libpq also reads its environment (`PGPASSWORD`, `PGSSLMODE`, `PGCONNECT_TIMEOUT`, …).
    init(_ location: PostgresLocation) throws(PostgresError) {
        self.location = location
        // A connection that hangs would hang every command: bound it unless the URL or PGCONNECT_TIMEOUT says.
        let connectTimeout = ProcessInfo.processInfo.environment["PGCONNECT_TIMEOUT"] == nil ? "10" : nil
        let (keys, values) = Self.parameters(url: location.url, connectTimeout: connectTimeout)
        let opened = Self.withCStrings(keys) { keys in
            Self.withCStrings(values) { values in PQconnectdbParams(keys, values, 1) }
        }
        guard let opened else { throw PostgresError(.connection, message: "out of memory") }
        guard PQstatus(opened) == CONNECTION_OK else {
            let message = location.scrub(Self.trimmed(PQerrorMessage(opened)))
            PQfinish(opened)
            throw PostgresError(.connection, message: message)
        }
        handle = opened
        // libpq prints NOTICEs (e.g. "relation already exists, skipping") to stderr by default: keep output clean.
        PQsetNoticeProcessor(handle, { _, _ in }, nil)
    }

    deinit { PQfinish(handle) }

    /// Reconnects when the server dropped the connection (a restart, a failover, an idle timeout); a no-op
    /// otherwise. Fencing tokens live in the database, so nothing this connection held is lost with it.
    func reconnectIfNeeded() throws(PostgresError) {
        guard PQstatus(handle) != CONNECTION_OK else { return }
        PQreset(handle)
        guard PQstatus(handle) == CONNECTION_OK else {
            throw PostgresError(.connection, message: location.scrub(Self.trimmed(PQerrorMessage(handle))))
        }
        for setting in sessionSettings { try execute(setting) }
    }

    /// Runs a session setting now and after every reconnect.
    func setSession(_ sql: String) throws(PostgresError) {
        try execute(sql)
        sessionSettings.append(sql)
    }

    /// libpq keywords and values: the URL expands into its parts (`expand_dbname`), then defaults it lacks.
    private static func parameters(url: String, connectTimeout: String?) -> ([String], [String]) {
        // Later keywords override what the URL says, so the default name comes first and the URL's wins.
        var keys = ["application_name", "dbname"]
        var values = ["cloudctl", url]
        if let connectTimeout, !url.contains("connect_timeout") {
            keys.append("connect_timeout")
            values.append(connectTimeout)
        }
        return (keys, values)
    }

    /// Runs `body` with a NULL-terminated C array of `strings`.
    private static func withCStrings<T>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> T) -> T {
        let copies = strings.map { strdup($0) }
        defer { copies.forEach { free($0) } }
        let pointers = copies.map { UnsafePointer($0) } + [nil]
        return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
    }

    private static func trimmed(_ message: UnsafePointer<CChar>?) -> String {
        message.map { String(cString: $0) }?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "unknown error"
    }

    /// Runs one statement with `$1…$n` parameters, sent as text; returns its rows (text) and how many it changed.
    @discardableResult
    func execute(_ sql: String, _ arguments: [PostgresValue] = []) throws(PostgresError) -> QueryResult {
        let texts = arguments.map(\.text)
        let copies = texts.map { $0.map { strdup($0) } ?? nil }
        defer { copies.forEach { free($0) } }
        let pointers = copies.map { UnsafePointer($0) }
        let result = pointers.withUnsafeBufferPointer {
            PQexecParams(handle, sql, Int32(arguments.count), nil, $0.baseAddress, nil, nil, 0)
        }
        guard let result else { throw failure(sql: sql) }
        defer { PQclear(result) }
        let status = PQresultStatus(result)
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK else {
            let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
            let message = location.scrub(Self.trimmed(PQresultErrorMessage(result)))
            let kind: PostgresError.Kind = PQstatus(handle) == CONNECTION_OK ? .statement : .connection
            throw PostgresError(kind, sqlState: state, message: message, sql: sql)
        }
        var rows: [[String?]] = []
        let columns = PQnfields(result)
        for row in 0..<PQntuples(result) {
            rows.append(
                (0..<columns).map { column in
                    PQgetisnull(result, row, column) == 1 ? nil : String(cString: PQgetvalue(result, row, column))
                })
        }
        let changed = Int(String(cString: PQcmdTuples(result))) ?? 0
        return QueryResult(rows: rows.map { Row(values: $0, sql: sql) }, changed: changed)
    }

    /// The connection's error when a call returned no result at all.
    private func failure(sql: String) -> PostgresError {
        let kind: PostgresError.Kind = PQstatus(handle) == CONNECTION_OK ? .statement : .connection
        return PostgresError(kind, message: location.scrub(Self.trimmed(PQerrorMessage(handle))), sql: sql)
    }

    /// Runs a script of statements without parameters (schema changes).
    func executeScript(_ sql: String) throws(PostgresError) {
        guard let result = PQexec(handle, sql) else { throw failure(sql: sql) }
        defer { PQclear(result) }
        let status = PQresultStatus(result)
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK else {
            let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
            let message = location.scrub(Self.trimmed(PQresultErrorMessage(result)))
            throw PostgresError(.statement, sqlState: state, message: message, sql: sql)
        }
    }

    /// Runs one query and maps every row.
    func query<T>(_ sql: String, _ arguments: [PostgresValue] = [], row: (Row) throws -> T) throws -> [T] {
        try execute(sql, arguments).rows.map(row)
    }

    /// Runs `body` in a transaction, rolled back when it throws.
    func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            _ = try? execute("ROLLBACK")
            throw error
        }
    }
}

/// What a statement returned.
struct QueryResult {
    var rows: [Row]
    /// Rows inserted, updated or deleted.
    var changed: Int
}

/// One result row, in PostgreSQL's text format.
struct Row {
    var values: [String?]
    var sql: String

    /// Column `index` as `T`; throws when the stored value does not fit (e.g. NULL, unknown enum).
    func column<T: PostgresValueConvertible>(_ index: Int, as type: T.Type = T.self) throws(PostgresError) -> T {
        guard let value = T(postgresText: values[index]) else {
            let stored = values[index] == nil ? "NULL" : "a value"
            throw PostgresError(
                .mismatch, message: "column #\(index) holds \(stored) that is not a valid \(T.self)", sql: sql)
        }
        return value
    }
}
