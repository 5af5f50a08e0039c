import Foundation
import FleetModel
import StateBackend

/// A statement parameter in PostgreSQL's text format; nil text is NULL.
struct PostgresValue {
    var text: String?
}

/// A Swift type that can be sent as a parameter and read back from a column (text format).
protocol PostgresValueConvertible {
    var postgresValue: PostgresValue { get }
    /// nil when the stored text does not fit this type (e.g. NULL for a non-optional).
    init?(postgresText: String?)
}

extension Int64: PostgresValueConvertible {
    var postgresValue: PostgresValue { PostgresValue(text: String(self)) }
    init?(postgresText: String?) {
        guard let value = postgresText.flatMap({ Int64($0) }) else { return nil }
        self = value
    }
}

extension Int: PostgresValueConvertible {
    var postgresValue: PostgresValue { PostgresValue(text: String(self)) }
    init?(postgresText: String?) {
        guard let value = postgresText.flatMap({ Int($0) }) else { return nil }
        self = value
    }
}

extension Bool: PostgresValueConvertible {
    var postgresValue: PostgresValue { PostgresValue(text: self ? "true" : "false") }
    init?(postgresText: String?) {
        switch postgresText {
        case "t", "true": self = true
        case "f", "false": self = false
        default: return nil
        }
    }
}

extension Double: PostgresValueConvertible {
    /// Swift prints the shortest text that reads back exactly, and PostgreSQL (12+) does too.
    var postgresValue: PostgresValue { PostgresValue(text: "\(self)") }
    init?(postgresText: String?) {
        guard let value = postgresText.flatMap({ Double($0) }) else { return nil }
        self = value
    }
}

extension String: PostgresValueConvertible {
    var postgresValue: PostgresValue { PostgresValue(text: self) }
    init?(postgresText: String?) {
        guard let postgresText else { return nil }
        self = postgresText
    }
}

/// Dates are stored as double precision seconds since the Foundation reference date (2001-01-01 UTC), as in the
/// SQLite store, so they round-trip exactly and `state copy` moves them unchanged.
/// In psql: `to_timestamp(started_at + 978307200)`.
extension Date: PostgresValueConvertible {
    var postgresValue: PostgresValue { timeIntervalSinceReferenceDate.postgresValue }
    init?(postgresText: String?) {
        guard let seconds = Double(postgresText: postgresText) else { return nil }
        self.init(timeIntervalSinceReferenceDate: seconds)
    }
}

extension Optional: PostgresValueConvertible where Wrapped: PostgresValueConvertible {
    var postgresValue: PostgresValue { self?.postgresValue ?? PostgresValue(text: nil) }
    init?(postgresText: String?) {
        guard let postgresText else {
            self = .none
            return
        }
        guard let value = Wrapped(postgresText: postgresText) else { return nil }
        self = .some(value)
    }
}

/// String-backed enums are stored as their raw value.
extension PostgresValueConvertible where Self: RawRepresentable, RawValue == String {
    var postgresValue: PostgresValue { PostgresValue(text: rawValue) }
    init?(postgresText: String?) {
        guard let raw = postgresText else { return nil }
        self.init(rawValue: raw)
    }
}

extension ResourceKind: PostgresValueConvertible {}
extension StepAction: PostgresValueConvertible {}
extension InstanceState: PostgresValueConvertible {}
extension StepStatus: PostgresValueConvertible {}
extension OperationResult: PostgresValueConvertible {}

extension Version: PostgresValueConvertible {
    var postgresValue: PostgresValue { PostgresValue(text: description) }
    init?(postgresText: String?) {
        guard let text = postgresText else { return nil }
        self.init(text)
    }
}
