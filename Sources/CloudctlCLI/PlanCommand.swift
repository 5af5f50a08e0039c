import Foundation
import FleetModel

/// How a plan is printed.
enum PlanFormat {
    case text, json, markdown

    static let options: [OptionSpec] = [
        .flag("--json", "Print the plan as one JSON object (the saved-plan format)."),
        .flag("--markdown", "Print the plan as Markdown for a pull-request comment."),
    ]

    init(_ arguments: ParsedArguments) {
        self = arguments.flag("--json") ? .json : arguments.flag("--markdown") ? .markdown : .text
    }

    /// Writes the plan to stdout in chunks, ending with a newline.
    func write(_ plan: Plan, diagnostics: [Diagnostic], details: [String: String], terminal: Terminal, to console: Console) {
        var output = ChunkedOutput(console)
        switch self {
        case .text: PlanTextRenderer(terminal: terminal, details: details).write(plan, to: &output); output.write("\n")
        case .json: var writer = PlanJSONWriter(output); writer.write(plan); output = writer.output; output.write("\n")
        case .markdown: PlanMarkdownRenderer.write(plan, diagnostics: diagnostics, to: &output); output.write("\n")
        }
        output.flush()
    }
}

/// `cloudctl plan`: what must change to make the fleet match the instance files.
enum PlanCommand {
    static let command = Command(spec: CommandSpec(
        name: "plan", abstract: "Show what must change to make the fleet match the instance files.",
        arguments: "[NAME…]", positionals: 0...Int.max,
        options: PlanFormat.options + [
            .string("--out", "FILE", "Save the plan to FILE for `cloudctl apply FILE`."),
            .flag("--detailed-exitcode", "Exit 2 when the plan has changes (0 when none, 1 on errors)."),
        ],
        conflicts: [["--json", "--markdown"]]), run: run)

    static func run(_ context: CommandContext) async throws -> Int32 {
        let workspace = try FleetWorkspace.open(context)
        let result = try workspace.plan(selecting: context.arguments.positionals)
        context.report(result.diagnostics)
        let format = PlanFormat(context.arguments)
        format.write(result.plan, diagnostics: result.diagnostics, details: PlanTextRenderer.details(for: workspace.loaded.specs),
                     terminal: context.terminal, to: context.console)
        if let out = context.arguments.value("--out") {
            try save(result.plan, to: context.userPath(out))
            let hint = "\nSaved the plan to \(out).\nTo apply exactly this plan: cloudctl apply \(out)"
            if format == .text { context.console.out(hint) } else { context.console.err(hint) }
        }
        let changes = result.plan.hasChanges && context.arguments.flag("--detailed-exitcode")
        return changes ? CLI.ExitCode.changesPresent : CLI.ExitCode.success
    }

    static func save(_ plan: Plan, to url: URL) throws {
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            let file = try AtomicFileWriter(url)
            var writer = PlanJSONWriter(ChunkedOutput(file.write))
            writer.write(plan)
            writer.output.flush()
            try file.commit()
        } catch {
            throw DiagnosticsError([.error("Cannot write the plan to \(url.path)", detail: "Check that the directory is writable. (\(error.localizedDescription))")])
        }
    }
}
