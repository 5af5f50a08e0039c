import Foundation
import FleetModel
import StateBackend

/// A value as SQLite stores it.
enum SQLiteValue: Sendable, Equatable {
    case integer(Int64)
    case real(Double)
    case text(String)
    case null
}

/// A Swift type that can be bound to a statement parameter and read back from a column.
protocol SQLiteValueConvertible {
    var sqliteValue: SQLiteValue { get }
    /// nil when the stored value does not fit this type (e.g. NULL for a non-optional).
    init?(sqliteValue: SQLiteValue)
}

extension Int64: SQLiteValueConvertible {
    var sqliteValue: SQLiteValue { .integer(self) }
    init?(sqliteValue: SQLiteValue) {
        guard case .integer(let value) = sqliteValue else { return nil }
        self = value
    }
}

extension Int: SQLiteValueConvertible {
    var sqliteValue: SQLiteValue { .integer(Int64(self)) }
    init?(sqliteValue: SQLiteValue) {
        guard let value = Int64(sqliteValue: sqliteValue) else { return nil }
        self.init(value)
    }
}

extension Double: SQLiteValueConvertible {
    var sqliteValue: SQLiteValue { .real(self) }
    init?(sqliteValue: SQLiteValue) {
        switch sqliteValue {
        case .real(let value): self = value
        case .integer(let value): self = Double(value)
        default: return nil
        }
    }
}

extension String: SQLiteValueConvertible {
    var sqliteValue: SQLiteValue { .text(self) }
    init?(sqliteValue: SQLiteValue) {
        guard case .text(let value) = sqliteValue else { return nil }
        self = value
    }
}

/// Dates are stored as REAL seconds since the Foundation reference date (2001-01-01 UTC), Date's own
/// representation, so they round-trip exactly and compare correctly in SQL (lock leases).
/// In the sqlite3 shell: `datetime(started_at + 978307200, 'unixepoch')`.
extension Date: SQLiteValueConvertible {
    var sqliteValue: SQLiteValue { .real(timeIntervalSinceReferenceDate) }
    init?(sqliteValue: SQLiteValue) {
        guard let seconds = Double(sqliteValue: sqliteValue) else { return nil }
        self.init(timeIntervalSinceReferenceDate: seconds)
    }
}

extension Optional: SQLiteValueConvertible where Wrapped: SQLiteValueConvertible {
    var sqliteValue: SQLiteValue { self?.sqliteValue ?? .null }
    init?(sqliteValue: SQLiteValue) {
        if sqliteValue == .null {
            self = .none
            return
        }
        guard let value = Wrapped(sqliteValue: sqliteValue) else { return nil }
        self = .some(value)
    }
}

/// String-backed enums are stored as their raw value.
extension SQLiteValueConvertible where Self: RawRepresentable, RawValue == String {
    var sqliteValue: SQLiteValue { .text(rawValue) }
    init?(sqliteValue: SQLiteValue) {
        guard let raw = String(sqliteValue: sqliteValue) else { return nil }
        self.init(rawValue: raw)
    }
}

extension ResourceKind: SQLiteValueConvertible {}
extension StepAction: SQLiteValueConvertible {}
extension InstanceState: SQLiteValueConvertible {}
extension StepStatus: SQLiteValueConvertible {}
extension OperationResult: SQLiteValueConvertible {}
extension WaveBarrierStatus: SQLiteValueConvertible {}

extension Version: SQLiteValueConvertible {
    var sqliteValue: SQLiteValue { .text(description) }
    init?(sqliteValue: SQLiteValue) {
        guard let text = String(sqliteValue: sqliteValue) else { return nil }
        self.init(text)
    }
}
