import Foundation
import FleetModel

/// `cloudctl show FILE`: render a saved plan.
enum ShowCommand {
    static let command = Command(spec: CommandSpec(
        name: "show", abstract: "Render a saved plan.", arguments: "FILE", positionals: 1...1,
        options: PlanFormat.options, conflicts: [["--json", "--markdown"]])) { context in
        let reader = try SavedPlanReader(context.userPath(context.arguments.positionals[0]))
        let format = PlanFormat(context.arguments)
        try SavedPlanShow.print(reader, format, terminal: context.terminal, console: context.console)
        return CLI.ExitCode.success
    }
}
