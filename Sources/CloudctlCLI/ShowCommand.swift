import Foundation
import FleetModel

/// `cloudctl show FILE`: render a saved plan.
enum ShowCommand {
    static let command = Command(spec: CommandSpec(
        name: "show", abstract: "Render a saved plan.", arguments: "FILE", positionals: 1...1,
        options: PlanFormat.options, conflicts: [["--json", "--markdown"]])) { context in
        let plan = try PlanJSONRenderer.read(context.userPath(context.arguments.positionals[0]))
        PlanPrinter.print(plan, PlanFormat(context.arguments), diagnostics: [], details: [:], terminal: context.terminal, console: context.console)
        return CLI.ExitCode.success
    }
}
