import Foundation
import FleetModel
import StateBackend

/// `cloudctl history [NAME]`: operations newest first, with their steps and errors.
enum HistoryCommand {
    static let spec = CommandSpec(
        name: "history", abstract: "Show past operations, newest first, with their steps and errors.",
        arguments: "[NAME]", positionals: 0...1,
        options: [.integer("--limit", "N", "Show at most N operations (default: 20)."),
                  .string("--since", "WHEN", "Only operations started since WHEN: 30m, 12h, 2d, or an ISO 8601 date (2026-11-20) or time."),
                  .flag("--json", "Print JSON.")])

    static let command = Command(spec: spec) { context in
        let name = context.arguments.positionals.first
        let since = try context.arguments.value("--since").map { text in
            guard let date = TimeText.since(text, now: context.environment.now()) else {
                throw UsageError(message: "Invalid value '\(text)' for '--since': expected a duration like 30m, 12h or 2d, "
                                 + "or an ISO 8601 date or time like 2026-11-20 or 2026-11-20T18:00:00Z", command: spec.name, usage: spec.usage)
            }
            return date
        }
        let operations = try await context.existingStore()?.operations(instance: name, since: since, limit: context.arguments.integer("--limit") ?? 20) ?? []
        if context.arguments.flag("--json") {
            context.console.out(String(decoding: try TimeText.jsonEncoder().encode(operations), as: UTF8.self))
        } else if operations.isEmpty {
            context.console.out("No operations recorded" + (name.map { " for \($0)" } ?? "")
                                + (since.map { " since \(TimeText.iso($0))" } ?? "") + ".")
        } else {
            context.console.out(operations.map { render($0, now: context.environment.now()) }.joined(separator: "\n\n"))
        }
        return CLI.ExitCode.success
    }

    static func render(_ op: OperationRecord, now: Date) -> String {
        var header = "#\(op.id) \(op.instance) \(op.kind) \(op.result.rawValue)  \(TimeText.iso(op.startedAt)) (\(TimeText.relative(op.startedAt, now: now)))"
        if let finished = op.finishedAt { header += ", took \(TimeText.duration(Int(finished.timeIntervalSince(op.startedAt))))" }
        header += ", by \(op.holder)"
        var lines = [header]
        if let error = op.error { lines.append("  error: \(error)") }
        if !op.steps.isEmpty { lines.append(stepTable(op.steps, indent: "  ")) }
        return lines.joined(separator: "\n")
    }

    /// One line per step: number, action, resource, status (with attempts), cloud id or error.
    static func stepTable(_ steps: [StepRecord], indent: String) -> String {
        TableFormatter.render(headers: [indent + "#", "STEP", "STATUS", "RESULT"], rows: steps.map { step in
            [indent + "\(step.index + 1)", "\(step.action.rawValue) \(step.resource.rawValue)",
             step.status.rawValue + (step.attempts > 1 ? " (\(step.attempts) attempts)" : ""),
             step.error.map { "error: \($0)" } ?? step.cloudId ?? step.note ?? ""]
        })
    }
}
