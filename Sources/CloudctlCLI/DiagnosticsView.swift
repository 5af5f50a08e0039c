import Foundation
import FleetModel

/// Problems as JSON or Markdown on stdout, so CI that asked for `--json` or `--markdown` has something to post.
enum DiagnosticsView {
    /// `{"valid": false, "errors": 2, "warnings": 1, "diagnostics": [...]}`: each diagnostic with severity, summary,
    /// detail and location (file, line, column, fieldPath).
    struct Document: Encodable {
        var valid: Bool
        var instanceFiles: Int?
        var errors: Int
        var warnings: Int
        var diagnostics: [Diagnostic]
    }

    static func json(_ diagnostics: [Diagnostic], instanceFiles: Int? = nil) throws -> String {
        let errors = diagnostics.filter { $0.severity == .error }.count
        let document = Document(
            valid: errors == 0, instanceFiles: instanceFiles, errors: errors, warnings: diagnostics.count - errors,
            diagnostics: diagnostics)
        return String(decoding: try TimeText.jsonEncoder().encode(document), as: UTF8.self)
    }

    /// A pull-request comment: what failed, then every problem as a list item (code spans keep file values inert).
    static func markdown(_ diagnostics: [Diagnostic], title: String = "cloudctl plan") -> String {
        let errors = diagnostics.filter { $0.severity == .error }.count
        let noun = errors == 1 ? "error" : "errors"
        var text = "### \(title)\n\n"
        text +=
            errors > 0 ? "**\(errors) \(noun)**: nothing was planned. Fix the instance files and push again.\n\n" : ""
        text += diagnostics.map { "- \($0.severity.rawValue): " + inline($0) }.joined(separator: "\n")
        return text + "\n"
    }

    /// "`Instances/acme.json:3:5`: unknown key — did you mean …" on one line.
    static func inline(_ diagnostic: Diagnostic) -> String {
        var text = (diagnostic.location.map { "`\($0.description)`: " } ?? "") + diagnostic.summary
        if let detail = diagnostic.detail, !detail.isEmpty { text += " — " + detail }
        // A newline would end the list item and let the rest render as Markdown.
        return text.replacingOccurrences(of: "\n", with: " ")
    }
}
