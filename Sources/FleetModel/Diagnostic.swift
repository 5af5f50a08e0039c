/// Where a problem is: a file, and either a line/column (syntax) or a field path (meaning).
public struct SourceLocation: Hashable, Sendable, Codable {
    public var file: String
    public var line: Int?
    public var column: Int?
    public var fieldPath: String?

    public init(file: String, line: Int? = nil, column: Int? = nil, fieldPath: String? = nil) {
        self.file = file
        self.line = line
        self.column = column
        self.fieldPath = fieldPath
    }

    /// `file:line:column` or `file: field.path`, the way compilers and linters print it.
    public var description: String {
        var text = file
        if let line {
            text += ":\(line)"
            if let column { text += ":\(column)" }
        }
        if let fieldPath, !fieldPath.isEmpty { text += " (\(fieldPath))" }
        return text
    }
}

/// The one user-facing problem type: a short summary, a detail saying what to do next, and where.
public struct Diagnostic: Hashable, Sendable, Codable, CustomStringConvertible {
    /// Errors fail the run; warnings are shown and do not.
    public enum Severity: String, Sendable, Codable { case error, warning }

    public var severity: Severity
    public var summary: String
    public var detail: String?
    public var location: SourceLocation?

    public init(
        _ severity: Severity = .error, _ summary: String, detail: String? = nil, at location: SourceLocation? = nil
    ) {
        self.severity = severity
        self.summary = summary
        self.detail = detail
        self.location = location
    }

    public static func error(_ summary: String, detail: String? = nil, at location: SourceLocation? = nil) -> Diagnostic
    {
        Diagnostic(.error, summary, detail: detail, at: location)
    }

    public static func warning(_ summary: String, detail: String? = nil, at location: SourceLocation? = nil)
        -> Diagnostic
    {
        Diagnostic(.warning, summary, detail: detail, at: location)
    }

    /// `Instances/acme.json:3:5: error: unknown key "sise"` followed by the detail on its own line.
    public var description: String {
        var text = ""
        if let location { text += location.description + ": " }
        text += "\(severity.rawValue): \(summary)"
        if let detail, !detail.isEmpty { text += "\n  " + detail }
        return text
    }
}

/// Thrown when a run found user-facing problems; carries every one of them.
public struct DiagnosticsError: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [Diagnostic]
    public init(_ diagnostics: [Diagnostic]) { self.diagnostics = diagnostics }
    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}

extension Array where Element == Diagnostic {
    /// True when any diagnostic is an error (warnings alone do not fail a run).
    public var hasErrors: Bool { contains { $0.severity == .error } }
}
