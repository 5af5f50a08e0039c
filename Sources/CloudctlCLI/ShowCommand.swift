import Foundation
import FleetModel

/// `cloudctl show FILE`: render a saved plan.
enum ShowCommand {
    static let command = Command(spec: CommandSpec(
        name: "show", abstract: "Render a saved plan.", arguments: "FILE", positionals: 1...1,
        options: PlanFormat.options, conflicts: [["--json", "--markdown"]])) { context in
        let plan = try PlanJSONRenderer.read(context.userPath(context.arguments.positionals[0]))
        PlanFormat(context.arguments).write(plan, diagnostics: [], details: [:], terminal: context.terminal, to: context.console)
        return CLI.ExitCode.success
    }
}
