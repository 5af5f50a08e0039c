import Foundation
import FleetModel
import Planner

/// How a plan is printed.
enum PlanFormat {
    case text, json, markdown

    static let jsonOption = OptionSpec.flag("--json", "Print the plan as one JSON object (the saved-plan format).")
    static let markdownOption = OptionSpec.flag("--markdown", "Print the plan as Markdown for a pull-request comment.")
    /// Mutually exclusive: commands list them as a conflict group.
    static let options = [jsonOption, markdownOption]

    init(_ arguments: ParsedArguments) {
        self = arguments.flag(Self.jsonOption) ? .json : arguments.flag(Self.markdownOption) ? .markdown : .text
    }
}

/// `cloudctl plan [NAME…] [--json | --markdown] [--out FILE] [--detailed-exitcode]`.
struct PlanOptions: CommandOptions, Equatable {
    /// The plan command's own options.
    enum Option {
        static let out = OptionSpec.string("--out", "FILE", "Save the plan to FILE for `cloudctl apply FILE`.")
        static let detailedExitcode = OptionSpec.flag(
            "--detailed-exitcode",
            "Exit 2 when the plan has changes (0 when none, 1 on errors).")
        static let refresh = RefreshOption.flag
    }

    static let spec = CommandSpec(
        name: "plan", abstract: "Show what must change to make the fleet match the instance files.",
        arguments: "[NAME…]", positionals: 0...Int.max,
        options: PlanFormat.options + [Option.out, Option.detailedExitcode, Option.refresh, ChangedSince.option],
        // A refreshed plan starts from state corrected in memory only: `apply FILE` would find it stale.
        conflicts: [PlanFormat.options, [Option.out, Option.refresh]],
        exitCodes: CLI.ExitCode.basic + [
            (CLI.ExitCode.changesPresent, "with --detailed-exitcode: the plan has changes or orphaned instances")
        ],
        environment: [CLI.Environment.db, CLI.Environment.noColor])

    /// The instances to plan; empty means all.
    var names: [String] = []
    var format: PlanFormat = .text
    var out: String?
    var detailedExitcode = false
    /// Plan from what the cloud says (`drift`), not only from recorded state.
    var refresh = false
    /// Only instances whose effective spec changed since this git revision.
    var changedSince: String?

    init(
        names: [String] = [], format: PlanFormat = .text, out: String? = nil, detailedExitcode: Bool = false,
        refresh: Bool = false, changedSince: String? = nil
    ) {
        self.names = names
        self.format = format
        self.out = out
        self.detailedExitcode = detailedExitcode
        self.refresh = refresh
        self.changedSince = changedSince
    }

    init(_ arguments: ParsedArguments, environment: CLIEnvironment) throws(UsageError) {
        self.init(
            names: arguments.positionals, format: PlanFormat(arguments), out: arguments.value(Option.out),
            detailedExitcode: arguments.flag(Option.detailedExitcode), refresh: arguments.flag(Option.refresh),
            changedSince: try ChangedSince.revision(arguments, spec: Self.spec))
        if changedSince != nil, !names.isEmpty {
            throw UsageError("--changed-since selects the instances itself; pass no instance names", for: Self.spec)
        }
    }
}

/// `cloudctl plan`: what must change to make the fleet match the instance files.
///
/// The plan is streamed: instances are planned, printed and saved one at a time, so 100,000 of them never sit in
/// memory with all their steps. A first pass without output finds the errors, since a plan with errors prints nothing.
enum PlanCommand {
    static let command = Command(PlanOptions.self, run: run)

    static func run(_ options: PlanOptions, _ context: CommandContext) async throws -> Int32 {
        do {
            return try await plan(options, context)
        } catch let error as DiagnosticsError where options.format != .text {
            // CI asked for a format to post: the problems come in it, on stdout (and as usual on stderr).
            context.report(error.diagnostics)
            context.console.out(
                options.format == .json
                    ? try DiagnosticsView.json(error.diagnostics) : DiagnosticsView.markdown(error.diagnostics))
            return CLI.ExitCode.failure
        }
    }

    private static func plan(_ options: PlanOptions, _ context: CommandContext) async throws -> Int32 {
        var workspace = try await FleetWorkspace.open(context)
        var names = options.names
        if let revision = options.changedSince {
            let changed = try ChangedSince.select(revision, repo: context.repo, current: workspace.loaded)
            let line = ChangedSince.summary(changed, revision: revision)
            // JSON on stdout stays one document; with nothing changed there is no plan to print or save.
            if options.format == .json { context.console.err(line) } else { context.console.out(line + "\n") }
            guard !changed.names.isEmpty else {
                if workspace.loaded.diagnostics.hasErrors { throw DiagnosticsError(workspace.loaded.diagnostics) }
                return CLI.ExitCode.success
            }
            names = changed.names
        }
        var drifted: [String: Set<ResourceKind>] = [:]
        if options.refresh {
            let refresh = try await RefreshedState.read(workspace, names: names, context: context)
            workspace.recorded = refresh.recorded
            drifted = refresh.drifted
        }
        var input = try workspace.planInput(selecting: names)
        input.drifted = drifted
        let fleet = input.fleet
        let diagnostics =
            workspace.loaded.diagnostics + Planner.diagnostics(input)
            + TrialExpiry.warnings(workspace.loaded, now: context.environment.now())
        if diagnostics.hasErrors { throw DiagnosticsError(diagnostics) }
        context.report(diagnostics)

        let format = options.format
        // The instances planned (also those `--changed-since` picked), as `apply` of the saved plan shows them.
        let renderer = workspace.textRenderer(
            terminal: context.terminal, now: context.environment.now(), selecting: names)
        var markdown = PlanMarkdownRenderer(provisioning: PlanMarkdownRenderer.provisioning(workspace.loaded.specs))
        markdown.fullPlanFile = options.out
        let selection = PlanSelection(names)
        // Sealed when saved or printed as JSON (which apply also takes), except from the cloud's view (--refresh): that
        // is not what the files and records alone plan.
        let sealed = !options.refresh && (options.out != nil || options.format == .json)
        let inputs = workspace.loaded.filesDigest.flatMap { files in
            sealed
                ? PlanSeal.inputs(
                    files: files, recorded: workspace.recorded, selection: selection, toolVersion: CLI.toolVersion)
                : nil
        }
        var printer = PlanPrinter(
            format, fleet: fleet.name, inputs: inputs, diagnostics: diagnostics, text: renderer, markdown: markdown,
            console: context.console)
        let out = options.out
        var saved = try out.map {
            try SavedPlanFile(context.userPath($0), fleet: fleet.name, inputs: inputs, repo: context.repo)
        }
        let outline = Planner.plan(input) { instance in
            printer.add(instance)
            saved?.add(instance)
        }
        printer.finish(summary: outline.summary, toolVersion: CLI.toolVersion, selection: selection)
        if let out {
            try saved?.finish(summary: outline.summary, toolVersion: CLI.toolVersion, selection: selection)
            let hint = "\nSaved the plan to \(out).\nTo apply exactly this plan: cloudctl apply \(out)"
            if format == .text { context.console.out(hint) } else { context.console.err(hint) }
        }
        // Orphans count as a difference: the fleet does not match its files until someone restores or forgets them.
        let differs = outline.summary.hasChanges || outline.summary.orphaned > 0
        let changes = differs && options.detailedExitcode
        return changes ? CLI.ExitCode.changesPresent : CLI.ExitCode.success
    }

    /// Saves a whole plan, e.g. in tests.
    static func save(_ plan: Plan, selection: PlanSelection = .all, to url: URL) throws {
        var file = try SavedPlanFile(url, fleet: plan.fleet, inputs: nil, repo: nil)
        for instance in plan.instances { file.add(instance) }
        try file.finish(summary: plan.summary, toolVersion: plan.toolVersion, selection: selection)
    }
}

/// A saved plan being written instance by instance; it appears at its path only when complete.
struct SavedPlanFile {
    private let url: URL
    private let file: AtomicFileWriter
    private var output: ChunkedOutput
    private var writer = PlanJSONWriter()

    /// `repo`, when given, is the fleet repository: a plan saved among its instance files would be read as one.
    /// `inputs` seals the plan (`PlanSeal`).
    init(_ url: URL, fleet: String, inputs: String?, repo: URL?) throws {
        self.url = url
        if let repo { try Self.refuseInsideInstances(url, repo: repo) }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw DiagnosticsError([
                .error(
                    "Cannot write the plan to \(url.path): it is a directory",
                    detail: "Pass a file name to --out, e.g. \(url.appendingPathComponent("plan.json").path).")
            ])
        }
        do {
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            file = try AtomicFileWriter(url)
        } catch {
            throw Self.cannotWrite(url, error)
        }
        output = ChunkedOutput(file.write)
        writer.begin(fleet: fleet, inputs: inputs, to: &output)
    }

    mutating func add(_ instance: InstancePlan) { writer.write(instance, to: &output) }

    mutating func finish(summary: PlanSummary, toolVersion: String, selection: PlanSelection) throws {
        writer.finish(summary: summary, toolVersion: toolVersion, selection: selection, to: &output)
        output.flush()
        do { try file.commit() } catch { throw Self.cannotWrite(url, error) }
    }

    private static func refuseInsideInstances(_ url: URL, repo: URL) throws {
        let instances = repo.appendingPathComponent("Instances").standardizedFileURL.resolvingSymlinksInPath().path
        let directory = url.deletingLastPathComponent().standardizedFileURL.resolvingSymlinksInPath().path
        guard directory == instances else { return }
        throw DiagnosticsError([
            .error(
                "Refusing to save the plan to \(url.path): it is inside Instances/",
                detail: "Every .json file in Instances/ is read as an instance file. "
                    + "Save plans elsewhere, e.g. --out Plans/plan.json.")
        ])
    }

    private static func cannotWrite(_ url: URL, _ error: Error) -> DiagnosticsError {
        DiagnosticsError([
            .error(
                "Cannot write the plan to \(url.path)",
                detail: "Check that the directory is writable. (\(error.localizedDescription))")
        ])
    }
}
