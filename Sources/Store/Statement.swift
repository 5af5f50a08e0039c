import CSQLite

/// A prepared statement; finalized on deinit. Used only while the owning `Database` is serialized.
final class Statement {
    let sql: String
    private let handle: OpaquePointer
    private let connection: OpaquePointer

    /// SQLite copies bound text immediately, so the Swift string's temporary buffer may go away.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    init(connection: OpaquePointer, sql: String) throws {
        var handle: OpaquePointer?
        let code = sqlite3_prepare_v2(connection, sql, -1, &handle, nil)
        guard code == SQLITE_OK, let handle else {
            sqlite3_finalize(handle)
            throw SQLiteError(code: code, connection: connection, sql: sql)
        }
        self.sql = sql
        self.handle = handle
        self.connection = connection
    }

    deinit { sqlite3_finalize(handle) }

    /// Resets the statement and binds `arguments` to the parameters `?1…?n`.
    func bind(_ arguments: [any SQLiteValueConvertible]) throws {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        let expected = Int(sqlite3_bind_parameter_count(handle))
        guard arguments.count == expected else {
            throw SQLiteError(
                code: SQLITE_RANGE, message: "expected \(expected) arguments, got \(arguments.count)", sql: sql)
        }
        for (offset, argument) in arguments.enumerated() {
            let index = Int32(offset + 1)
            let code: Int32 =
                switch argument.sqliteValue {
                case .integer(let value): sqlite3_bind_int64(handle, index, value)
                case .real(let value): sqlite3_bind_double(handle, index, value)
                case .text(let value): sqlite3_bind_text(handle, index, value, -1, Self.transient)
                case .null: sqlite3_bind_null(handle, index)
                }
            try check(code)
        }
    }

    /// Advances to the next row; false when done.
    func step() throws -> Bool {
        let code = sqlite3_step(handle)
        switch code {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw SQLiteError(code: sqlite3_extended_errcode(connection), connection: connection, sql: sql)
        }
    }

    /// The raw value of column `index` (0-based) of the current row.
    func value(_ index: Int32) -> SQLiteValue {
        switch sqlite3_column_type(handle, index) {
        case SQLITE_INTEGER: .integer(sqlite3_column_int64(handle, index))
        case SQLITE_FLOAT: .real(sqlite3_column_double(handle, index))
        case SQLITE_NULL: .null
        default: .text(text(index))
        }
    }

    /// A text column, decoded with the length SQLite reports (no `strlen`: the page reads millions of these).
    private func text(_ index: Int32) -> String {
        // sqlite3_column_text first, then sqlite3_column_bytes: the order SQLite documents for the length to match.
        guard let start = sqlite3_column_text(handle, index) else { return "" }
        let count = Int(sqlite3_column_bytes(handle, index))
        return String(decoding: UnsafeBufferPointer(start: start, count: count), as: UTF8.self)
    }

    /// Column `index` of the current row as `T`; throws when the stored value does not fit (e.g. NULL, unknown enum).
    func column<T: SQLiteValueConvertible>(_ index: Int32, as type: T.Type = T.self) throws -> T {
        let raw = value(index)
        guard let decoded = T(sqliteValue: raw) else {
            let name = sqlite3_column_name(handle, index).map { String(cString: $0) } ?? "#\(index)"
            throw SQLiteError(
                code: SQLITE_MISMATCH, message: "column \(name) holds \(raw.kind), not a valid \(T.self)", sql: sql)
        }
        return decoded
    }

    private func check(_ code: Int32) throws {
        guard code == SQLITE_OK else { throw SQLiteError(code: code, connection: connection, sql: sql) }
    }
}

private extension SQLiteValue {
    /// The stored type, for messages that must not reveal the value itself.
    var kind: String {
        switch self {
        case .integer: "an integer"
        case .real: "a real"
        case .text: "text"
        case .null: "NULL"
        }
    }
}
