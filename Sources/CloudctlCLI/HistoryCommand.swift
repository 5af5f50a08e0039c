import Foundation
import FleetModel
import Store

/// `cloudctl history [NAME]`: operations newest first, with their steps and errors.
enum HistoryCommand {
    static let command = Command(spec: CommandSpec(
        name: "history", abstract: "Show past operations, newest first, with their steps and errors.",
        arguments: "[NAME]", positionals: 0...1,
        options: [.integer("--limit", "N", "Show at most N operations (default: 20)."), .flag("--json", "Print JSON.")])) { context in
        let name = context.arguments.positionals.first
        let operations = try context.existingStore()?.operations(instance: name, limit: context.arguments.integer("--limit") ?? 20) ?? []
        if context.arguments.flag("--json") {
            context.console.out(String(decoding: try TimeText.jsonEncoder().encode(operations), as: UTF8.self))
        } else if operations.isEmpty {
            context.console.out("No operations recorded" + (name.map { " for \($0)" } ?? "") + ".")
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
