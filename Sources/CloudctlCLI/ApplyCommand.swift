import Foundation
import FleetModel
import Planner
import Store
import Executor
import AWSProvider

/// `cloudctl apply`: make the fleet match the instance files (or exactly a saved plan).
enum ApplyCommand {
    static let command = Command(spec: CommandSpec(
        name: "apply", abstract: "Make the fleet match the instance files, or apply a saved plan.",
        arguments: "[PLANFILE | NAME…]", positionals: 0...Int.max,
        options: [
            .flag("--auto-approve", "Apply without asking for confirmation (required when stdin is not a terminal)."),
            .integer("--parallelism", "N", "Run at most N instances at once (default: 8)."),
            .flag("--ignore-maintenance-window", "Run disruptive steps even outside maintenance windows."),
            .flag("--continue-after-failed-wave", "Start later rollout waves even when an earlier wave had failures."),
        ]), run: run)

    static func run(_ context: CommandContext) async throws -> Int32 {
        let console = context.console
        let workspace = try FleetWorkspace.open(context)
        let fleet = try workspace.validFleet()
        let plan: Plan
        if let planFile = savedPlanArgument(context) {
            let reader = try SavedPlanReader(context.userPath(planFile))
            let check = SavedPlanCheck(reader: reader, file: planFile, workspace: workspace)
            let approval = SavedPlanApproval(check: check, context: context)
            guard let approved = try approval.approve() else { return CLI.ExitCode.success }
            plan = approved
        } else {
            let result = try workspace.plan(selecting: context.arguments.positionals)
            context.report(result.diagnostics)
            plan = result.plan
            let details = PlanTextRenderer.details(for: workspace.loaded.specs)
            console.out(PlanTextRenderer(terminal: context.terminal, details: details).render(plan))
            guard plan.hasChanges else { return CLI.ExitCode.success }
            try confirm(context)
        }

        let config: AWSConfig
        do {
            config = try AWSConfig.resolve(environment: context.environment.variables, homeDirectory: context.environment.homeDirectory)
        } catch {
            throw DiagnosticsError([.error("Cannot resolve AWS configuration: \(error)",
                                           detail: "Set AWS_REGION and credentials (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or AWS_PROFILE).")])
        }
        let store = try StateStore(path: context.dbPath)
        var options = ExecutorOptions(holder: LockHolder.current())
        if let parallelism = context.arguments.integer("--parallelism") { options.parallelism = parallelism }
        options.ignoreMaintenanceWindow = context.arguments.flag("--ignore-maintenance-window")
        options.continueAfterFailedWave = context.arguments.flag("--continue-after-failed-wave")
        let printer = ProgressPrinter(console: console, terminal: context.terminal, live: console.stdoutIsTerminal,
                                      width: console.stdoutIsTerminal ? Terminal.columns(STDOUT_FILENO) : nil, now: context.environment.now)
        let executor = Executor(store: store, provider: context.environment.makeProvider(config), options: options,
                                observer: printer, clock: context.environment.now)

        console.out()
        let specs = workspace.specsByName
        let task = Task { await executor.apply(plan, fleet: fleet, specs: specs) }
        let trap = context.environment.trapSignals ? SignalTrap { count in
            if count == 1 {
                console.err("Interrupted: finishing running steps… (press Ctrl-C again to stop at once)")
                task.cancel()
            } else {
                console.err("Stopped. Running steps will be journaled as interrupted; re-run `cloudctl apply` to finish.")
                exit(CLI.ExitCode.interrupted)
            }
        } : nil
        let report = await task.value
        trap?.remove()

        console.out()
        console.out(summaryLine(report))
        console.out("Run `cloudctl status` to see the fleet, or `cloudctl history` for every step.")
        if task.isCancelled { return CLI.ExitCode.interrupted }
        return report.succeeded ? CLI.ExitCode.success : CLI.ExitCode.failure
    }

    /// The single argument is a saved plan when it ends in `.json` or names an existing file.
    static func savedPlanArgument(_ context: CommandContext) -> String? {
        let args = context.arguments.positionals
        guard args.count == 1, let arg = args.first else { return nil }
        return arg.hasSuffix(".json") || FileManager.default.fileExists(atPath: context.userPath(arg).path) ? arg : nil
    }

    /// Asks for "yes" on a terminal; refuses to guess when nobody can answer.
    static func confirm(_ context: CommandContext) throws {
        guard !context.arguments.flag("--auto-approve") else { return }
        guard context.console.stdinIsTerminal else {
            throw DiagnosticsError([.error("Refusing to apply without confirmation: standard input is not a terminal",
                                           detail: "Review the plan above and re-run with --auto-approve to apply it non-interactively.")])
        }
        context.console.writeOut("\nApply these changes? Only 'yes' is accepted: ")
        guard context.console.readLine()?.trimmingCharacters(in: .whitespaces) == "yes" else {
            throw DiagnosticsError([.error("Apply cancelled", detail: "Nothing was changed.")])
        }
    }

    /// "Apply complete: 6 succeeded, 0 failed, 1 deferred."
    static func summaryLine(_ report: ApplyReport) -> String {
        let count = { (r: OperationResult) in report.instances.filter { $0.result == r }.count }
        var parts = ["\(count(.succeeded)) succeeded", "\(count(.failed)) failed", "\(count(.deferred)) deferred"]
        for other in [OperationResult.cancelled, .interrupted] where count(other) > 0 { parts.append("\(count(other)) \(other.rawValue)") }
        var line = "Apply complete: " + parts.joined(separator: ", ") + "."
        for failure in report.instances where failure.result == .failed {
            line += "\n  \(failure.name): \(failure.error ?? "failed")"
        }
        // Instances never started share one reason (a failed wave, Ctrl-C): one line each reason, not one per instance.
        let notStarted = Dictionary(grouping: report.instances.filter { $0.result == .cancelled }.compactMap(\.error)) { $0 }
        for (reason, instances) in notStarted.sorted(by: { $0.key < $1.key }) where reason.hasPrefix("not started: ") {
            line += "\n  \(instances.count) \(instances.count == 1 ? "instance" : "instances") \(reason)"
        }
        return line
    }
}
