import Foundation
import FleetModel
import FleetFiles
import Planner
import StateBackend
import Executor
import AWSProvider

/// `cloudctl apply`: make the fleet match the instance files (or exactly a saved plan).
enum ApplyCommand {
    static let command = Command(ApplyOptions.self, run: run)

    static func run(_ options: ApplyOptions, _ context: CommandContext) async throws -> Int32 {
        do {
            return try await apply(options, context)
        } catch let error as DiagnosticsError where options.json {
            // A script asked for JSON: problems come as JSON on stdout (and as usual on stderr).
            context.report(error.diagnostics)
            context.console.out(try DiagnosticsView.json(error.diagnostics))
            return CLI.ExitCode.failure
        }
    }

    private static func apply(_ options: ApplyOptions, _ context: CommandContext) async throws -> Int32 {
        // With --json, stdout carries only the result document; the plan and progress go to stderr.
        let console = options.json ? context.console.humanOutputOnStderr : context.console
        var workspace: FleetWorkspace
        let plan: Plan
        var refreshed: RefreshedState?
        var fullPlan: Plan?
        if let planFile = options.planFile {
            guard let saved = try await approveSaved(planFile, options, context, console: console) else {
                return try nothingToApply(options, context)
            }
            let approved = saved.plan
            workspace = saved.workspace
            fullPlan = approved
            plan = options.shard.map { SharedRun.part(of: approved, for: $0) } ?? approved
            if let shard = options.shard {
                console.out("Shard \(shard): \(plan.instances.count) of \(approved.instances.count) instances.")
            }
        } else {
            workspace = try await FleetWorkspace.open(context, applying: true)
            _ = try workspace.validFleet()
            if options.refresh {
                let refresh = try await RefreshedState.read(workspace, names: options.names, context: context)
                workspace.recorded = refresh.recorded
                refreshed = refresh
            }
            var names = options.names
            if let revision = options.changedSince {
                let changed = try ChangedSince.select(revision, repo: context.repo, current: workspace.loaded)
                console.out(ChangedSince.summary(changed, revision: revision))
                guard !changed.names.isEmpty else { return try nothingToApply(options, context) }
                names = changed.names
            }
            let result = try workspace.plan(selecting: names, drifted: refreshed?.drifted ?? [:])
            context.report(result.diagnostics)
            fullPlan = result.plan
            plan = options.shard.map { SharedRun.part(of: result.plan, for: $0) } ?? result.plan
            if let shard = options.shard {
                console.out(
                    "Shard \(shard): \(plan.instances.count) of \(result.plan.instances.count) instances "
                        + "(by a hash of their names).")
            }
            let renderer = workspace.textRenderer(
                terminal: context.terminal, now: options.ignoreMaintenanceWindow ? nil : context.environment.now(),
                selecting: names)
            console.out(renderer.render(plan))
            // A shard with nothing to do still marks every wave finished, or the other shards would wait for it.
            guard plan.hasChanges || options.shard != nil else { return try nothingToApply(options, context) }
            if plan.hasChanges { try confirm(options, context, console: console) }
        }

        let fleet = try workspace.validFleet()
        var config = try context.awsConfig()
        let store = try context.writableStore(fleet: fleet.name, create: true)
        var executorOptions = ExecutorOptions(holder: LockHolder.current())
        if let refreshed {
            // The plan starts from the corrected records: they are saved first, so the executor finds what it planned
            // from.
            try await refreshed.save(to: store, holder: executorOptions.holder)
        }
        executorOptions.parallelism = options.parallelism
        executorOptions.ignoreMaintenanceWindow = options.ignoreMaintenanceWindow
        executorOptions.continueAfterFailedWave = options.continueAfterFailedWave
        let run = ApplyRun.make(repo: context.repo, now: context.environment.now())
        executorOptions.run = run
        executorOptions.waveGate = RolloutGateHook.make(
            fleet: fleet, specs: workspace.loaded.specs, store: store, now: context.environment.now)
        executorOptions.lockWait = options.lockWait
        let printer = ProgressPrinter(
            console: console, terminal: context.terminal, live: console.stdoutIsTerminal,
            width: console.stdoutIsTerminal ? Terminal.columns(STDOUT_FILENO) : nil, now: context.environment.now)
        config.maxRate = Double(options.maxRate)
        config.onRateNotice = { notice in
            let rate = String(format: "%.1f", notice.rate)
            printer.note(
                notice.throttled
                    ? "API rate in \(notice.region) throttled: now \(rate) calls/s (max \(Int(notice.maximumRate)), "
                        + "growing back slowly)"
                    : "API rate in \(notice.region) back to \(rate) calls/s")
        }
        if let shard = options.shard, let fullPlan {
            executorOptions.waveBarrier = SharedRun.barrier(
                of: fullPlan, shard: shard, options: options, store: store, holder: executorOptions.holder,
                printer: printer, clock: context.environment.now)
        }
        let executor = Executor(
            store: store, provider: context.environment.makeProvider(config),
            options: executorOptions,
            observer: printer, clock: context.environment.now)

        // Every step is checked before the first cloud call: a plan the provider cannot carry out never starts.
        let unusable = executor.check(plan)
        if !unusable.isEmpty {
            throw DiagnosticsError(
                unusable.map {
                    .error("Cannot apply: \($0)", detail: "Re-create the plan with `cloudctl plan --out FILE`.")
                })
        }
        console.out()
        console.out(
            "Run \(run.id)" + (run.commit.map { " from commit \($0.prefix(12))" + (run.dirty ? " (dirty)" : "") } ?? "")
        )
        let task = Task { await executor.apply(plan) }
        let trap =
            context.environment.trapSignals
            ? SignalTrap { count in
                if count == 1 {
                    // Cancelling stops cloud waits at once; running steps are journaled `interrupted`, locks released.
                    console.err(
                        "Interrupted: stopping running steps and recording them as interrupted… "
                            + "(press Ctrl-C again to stop at once)")
                    task.cancel()
                } else {
                    console.err(
                        "Stopped. Running steps will be journaled as interrupted; re-run `cloudctl apply` to finish.")
                    exit(CLI.ExitCode.interrupted)
                }
            } : nil
        let report = await task.value
        trap?.remove()

        console.out()
        console.out(summaryLine(report))
        console.out("Run `cloudctl status` to see the fleet, or `cloudctl history --run \(run.id)` for every step.")
        if options.json { context.console.out(try ApplyResultView.json(run: run, report)) }
        if task.isCancelled { return CLI.ExitCode.interrupted }
        return report.succeeded ? CLI.ExitCode.success : CLI.ExitCode.failure
    }

    /// Checks, shows and confirms a saved plan: by its seal when it has one and nothing it was made from changed
    /// (instance files are then only read, not decoded, before the question), otherwise by planning again. The plan
    /// and the loaded repository; nil when there is nothing to apply.
    private static func approveSaved(
        _ planFile: String, _ options: ApplyOptions, _ context: CommandContext, console: Console
    ) async throws -> (plan: Plan, workspace: FleetWorkspace)? {
        // The plan is outlined (one pass over the file) while the instance files are read, if it looks sealed.
        let url = context.userPath(planFile)
        let outlining = Task.detached { try SavedPlanReader(url) }
        let repo = context.repo
        let scanning =
            SavedPlanReader.looksSealed(url)
            ? Task.detached { FleetLoader.scan(repo: repo, rules: AWSRules()) } : nil
        let reader = try await outlining.value
        let approval = SavedPlanApproval(reader: reader, options: options, context: context, console: console)
        let now = options.ignoreMaintenanceWindow ? nil : context.environment.now()
        let shard = options.shard
        @Sendable func fullCheck() async throws -> SavedPlanCheck {
            let workspace = try await FleetWorkspace.open(context, applying: true)
            // A broken repository is said first, before anything about the plan file.
            _ = try workspace.validFleet()
            var check = SavedPlanCheck(reader: reader, file: planFile, workspace: workspace)
            check.shard = shard
            return check
        }
        let scan = await scanning?.value ?? nil
        if let sealed = try await SealedPlanCheck.open(reader, scan: scan, context, fullCheck: fullCheck) {
            let renderer = sealed.textRenderer(terminal: context.terminal, now: now)
            switch try await approval.approve(sealed, renderer: renderer) {
            case .unverified: break
            case .nothingToApply: return nil
            case .apply(let plan, let check): return (plan, try await check.workspace(context))
            }
        }
        let check = try await fullCheck()
        let renderer = check.workspace.textRenderer(
            terminal: context.terminal, now: now, selecting: reader.selection?.names ?? [])
        guard case .apply(let plan, let last) = try await approval.approve(check, renderer: renderer) else {
            return nil
        }
        return (plan, try await last.workspace(context))
    }

    /// A plan without changes runs nothing; `--json` still gets its document (no run, no instances).
    private static func nothingToApply(_ options: ApplyOptions, _ context: CommandContext) throws -> Int32 {
        if options.json { context.console.out(try ApplyResultView.json(run: nil, ApplyReport(instances: []))) }
        return CLI.ExitCode.success
    }

    /// Asks for "yes" on a terminal; refuses to guess when nobody can answer.
    static func confirm(_ options: ApplyOptions, _ context: CommandContext, console: Console) throws {
        guard !options.autoApprove else { return }
        guard console.stdinIsTerminal else {
            throw DiagnosticsError([
                .error(
                    "Refusing to apply without confirmation: standard input is not a terminal",
                    detail: "Review the plan above and re-run with --auto-approve to apply it non-interactively.")
            ])
        }
        console.writeOut("\nApply these changes? Only 'yes' is accepted: ")
        guard console.readLine()?.trimmingCharacters(in: .whitespaces) == "yes" else {
            throw DiagnosticsError([.error("Apply cancelled", detail: "Nothing was changed.")])
        }
    }

    /// "Apply complete: 6 succeeded, 0 failed, 1 deferred."
    static func summaryLine(_ report: ApplyReport) -> String {
        let count = { (r: OperationResult) in report.instances.filter { $0.result == r }.count }
        var parts = ["\(count(.succeeded)) succeeded", "\(count(.failed)) failed", "\(count(.deferred)) deferred"]
        for other in [OperationResult.cancelled, .interrupted, .skipped] where count(other) > 0 {
            parts.append("\(count(other)) \(other.rawValue)")
        }
        var line = "Apply complete: " + parts.joined(separator: ", ") + "."
        for failure in report.instances where failure.result == .failed || failure.result == .skipped {
            line += "\n  \(failure.name): \(failure.error ?? failure.result.rawValue)"
        }
        // Which window each deferred instance waits for, and when it opens.
        for deferred in report.instances where deferred.result == .deferred {
            line += "\n  \(deferred.name) deferred: \(deferred.error ?? "outside its maintenance window")"
        }
        // Instances never started share one reason (a failed wave, Ctrl-C): one line each reason, not one per instance.
        let notStarted = Dictionary(grouping: report.instances.filter { $0.result == .cancelled }.compactMap(\.error)) {
            $0
        }
        for (reason, instances) in notStarted.sorted(by: { $0.key < $1.key }) where reason.hasPrefix("not started: ") {
            line += "\n  \(instances.count) \(instances.count == 1 ? "instance" : "instances") \(reason)"
        }
        return line
    }
}

/// `cloudctl apply [PLANFILE | NAME…] [--auto-approve] [--parallelism N] [--ignore-maintenance-window] […]`.
struct ApplyOptions: CommandOptions, Equatable {
    /// The apply command's own options.
    enum Option {
        static let autoApprove = OptionSpec.flag(
            "--auto-approve", "Apply without asking for confirmation (required when stdin is not a terminal).")
        static let parallelism = OptionSpec.integer(
            "--parallelism", "N", in: parallelismBounds,
            "Run at most N instances at once, \(parallelismBounds.lowerBound) to \(parallelismBounds.upperBound) "
                + "(default: \(defaultParallelism)).")
        static let ignoreMaintenanceWindow = OptionSpec.flag(
            "--ignore-maintenance-window", "Run disruptive steps even outside maintenance windows.")
        static let continueAfterFailedWave = OptionSpec.flag(
            "--continue-after-failed-wave", "Start later rollout waves even when an earlier wave had failures.")
        static let json = OptionSpec.flag(
            "--json", "Print one JSON result per instance on stdout (the plan and progress go to stderr).")
        static let refresh = RefreshOption.flag
        static let shard = OptionSpec.string(
            "--shard", "K/N",
            "Apply only shard K of N (by a hash of the instance name); N runners with the same files and "
                + "database apply every instance once and wait for each other between waves.")
        static let waveTimeout = OptionSpec.string(
            "--wave-timeout", "DURATION",
            "With --shard: how long to wait at a wave boundary for the other shards (default: 1h).")
        static let runId = OptionSpec.string(
            "--run-id", "ID",
            "With --shard: what all runners of one run share besides the plan (e.g. the CI run id), so a retry "
                + "starts afresh.")
        static let lockTimeout = OptionSpec.string(
            "--lock-timeout", "DURATION",
            "Wait up to DURATION (e.g. 30s, 5m) for an instance locked by another runner (default: 0, fail).")
        static let skipLocked = OptionSpec.flag(
            "--skip-locked", "Skip instances locked by another runner (reported 'skipped' with the holder).")
        static let maxRate = OptionSpec.integer(
            "--max-rate", "N", in: maxRateBounds,
            "At most N cloud API calls per second per account and region (default: \(defaultMaxRate)); halves on "
                + "throttling and grows back slowly.")
    }

    static let maxRateBounds = 1...10_000
    static let defaultMaxRate = 100
    /// How long a shard waits at a wave boundary unless told otherwise.
    static let defaultWaveTimeout = 3600.0

    /// More instances at once than any fleet's API rate limits allow; the bound also keeps a typo like 100000 from
    /// making the executor spin up that many slots.
    static let parallelismBounds = 1...256
    static let defaultParallelism = 8

    static let spec = CommandSpec(
        name: "apply", abstract: "Make the fleet match the instance files, or apply a saved plan.",
        arguments: "[PLANFILE | NAME…]", positionals: 0...Int.max,
        options: [
            Option.autoApprove, Option.parallelism, Option.ignoreMaintenanceWindow,
            Option.continueAfterFailedWave, Option.json, Option.refresh, Option.shard, Option.waveTimeout,
            Option.runId, Option.lockTimeout, Option.skipLocked, Option.maxRate, ChangedSince.option,
        ],
        conflicts: [[Option.lockTimeout, Option.skipLocked]],
        exitCodes: [
            (CLI.ExitCode.success, "every instance succeeded or was deferred to its maintenance window"),
            (CLI.ExitCode.failure, "error, or an instance failed (see the summary and `cloudctl history`)"),
            (CLI.ExitCode.interrupted, "interrupted (Ctrl-C); running steps were journaled as interrupted"),
        ],
        environment: [CLI.Environment.db] + CLI.Environment.aws + [CLI.Environment.noColor])

    /// A saved plan to apply exactly; nil to plan afresh.
    var planFile: String?
    /// The instances to plan afresh; empty means all.
    var names: [String] = []
    var autoApprove = false
    var parallelism = defaultParallelism
    var ignoreMaintenanceWindow = false
    var continueAfterFailedWave = false
    var json = false
    /// Plan from what the cloud says: repair drift, correct recorded state.
    var refresh = false
    /// This runner's share of the fleet; nil applies every instance.
    var shard: Shard?
    var waveTimeout = defaultWaveTimeout
    var runId: String?
    var lockWait: LockWait = .fail
    var maxRate = defaultMaxRate
    /// Only instances whose effective spec changed since this git revision.
    var changedSince: String?

    init(
        planFile: String? = nil, names: [String] = [], autoApprove: Bool = false,
        parallelism: Int = defaultParallelism, ignoreMaintenanceWindow: Bool = false,
        continueAfterFailedWave: Bool = false
    ) {
        self.planFile = planFile
        self.names = names
        self.autoApprove = autoApprove
        self.parallelism = parallelism
        self.ignoreMaintenanceWindow = ignoreMaintenanceWindow
        self.continueAfterFailedWave = continueAfterFailedWave
    }

    init(_ arguments: ParsedArguments, environment: CLIEnvironment) throws(UsageError) {
        let words = arguments.positionals
        // The single argument is a saved plan when it ends in `.json` or names an existing file.
        if words.count == 1, let word = words.first,
            word.hasSuffix(".json") || FileManager.default.fileExists(atPath: environment.userPath(word).path)
        {
            planFile = word
        } else if let file = words.first(where: { $0.hasSuffix(".json") }) {
            // Instance names never contain a dot, so this is a plan file mixed with names.
            let other = words.first { $0 != file } ?? file
            throw UsageError(
                "Unexpected argument '\(other)': a saved plan (\(file)) is applied whole, without names",
                for: Self.spec)
        } else {
            names = words
        }
        autoApprove = arguments.flag(Option.autoApprove)
        parallelism = arguments.integer(Option.parallelism) ?? Self.defaultParallelism
        ignoreMaintenanceWindow = arguments.flag(Option.ignoreMaintenanceWindow)
        continueAfterFailedWave = arguments.flag(Option.continueAfterFailedWave)
        json = arguments.flag(Option.json)
        refresh = arguments.flag(Option.refresh)
        if refresh, let planFile {
            throw UsageError(
                "--refresh plans afresh from the cloud; a saved plan (\(planFile)) is applied exactly as saved",
                for: Self.spec)
        }
        if let text = arguments.value(Option.shard) {
            switch Shard.parse(text) {
            case .success(let parsed): shard = parsed
            case .failure(let error): throw UsageError("\(error)", for: Self.spec)
            }
        }
        for option in [Option.waveTimeout, Option.runId] where shard == nil && arguments.value(option) != nil {
            throw UsageError("\(option.name) only applies with --shard K/N", for: Self.spec)
        }
        if let text = arguments.value(Option.waveTimeout) {
            waveTimeout = try DurationText.seconds(text, option: Option.waveTimeout.name, spec: Self.spec)
        }
        runId = arguments.value(Option.runId)
        if let text = arguments.value(Option.lockTimeout) {
            let seconds = try DurationText.seconds(text, option: Option.lockTimeout.name, spec: Self.spec)
            lockWait = seconds > 0 ? .wait(seconds) : .fail
        }
        if arguments.flag(Option.skipLocked) { lockWait = .skip }
        maxRate = arguments.integer(Option.maxRate) ?? Self.defaultMaxRate
        changedSince = try ChangedSince.revision(arguments, spec: Self.spec)
        if changedSince != nil, planFile != nil {
            throw UsageError("--changed-since selects instances to plan afresh; pass no plan file", for: Self.spec)
        }
        if changedSince != nil, !names.isEmpty {
            throw UsageError("--changed-since selects the instances itself; pass no instance names", for: Self.spec)
        }
        if refresh, changedSince != nil {
            throw UsageError(
                "--refresh plans every selected instance from the cloud; drop --changed-since", for: Self.spec)
        }
    }
}

/// `apply --json`: the run and one result per instance, for scripts and CI.
enum ApplyResultView {
    struct Document: Encodable {
        var run: RunInfo?
        var succeeded: Bool
        var instances: [Instance]
    }

    struct Instance: Encodable {
        var name: String
        var result: OperationResult
        var error: String?
    }

    static func json(run: RunInfo?, _ report: ApplyReport) throws -> String {
        let instances = report.instances.sorted { $0.name < $1.name }.map {
            Instance(name: $0.name, result: $0.result, error: $0.error)
        }
        let document = Document(run: run, succeeded: report.succeeded, instances: instances)
        return String(decoding: try TimeText.jsonEncoder().encode(document), as: UTF8.self)
    }
}
