import Foundation
import FleetModel
import Planner

/// `cloudctl show FILE`: render a saved plan.
enum ShowCommand {
    static let command = Command(ShowOptions.self) { options, context in
        let reader = try SavedPlanReader(context.userPath(options.planFile))
        try SavedPlanShow.print(reader, options.format, terminal: context.terminal, console: context.console)
        return CLI.ExitCode.success
    }
}

/// `cloudctl show FILE [--json | --markdown]`.
struct ShowOptions: CommandOptions, Equatable {
    static let spec = CommandSpec(
        name: "show", abstract: "Render a saved plan.", arguments: "FILE", positionals: 1...1,
        options: PlanFormat.options, conflicts: [PlanFormat.options],
        // FILE is resolved against the current directory; no repository or database is read.
        globals: [], environment: [CLI.Environment.noColor])

    var planFile: String
    var format: PlanFormat = .text

    init(planFile: String, format: PlanFormat = .text) {
        self.planFile = planFile
        self.format = format
    }

    init(_ arguments: ParsedArguments, environment: CLIEnvironment) {
        // The parser guarantees exactly one positional.
        self.init(planFile: arguments.positionals[0], format: PlanFormat(arguments))
    }
}

/// A saved plan as text, JSON or Markdown, written to stdout.
struct ShowView {
    var format: PlanFormat
    var terminal: Terminal
    var console: Console

    func write(_ plan: Plan) {
        PlanPrinter.print(
            plan, format, diagnostics: [], text: PlanTextRenderer(terminal: terminal), console: console)
    }
}
