import Foundation
import AWSProvider
import FleetFiles
import FleetModel
import FleetReport
import Planner
import StateBackend

/// `cloudctl report`: the fleet page, one self-contained HTML file built from the files and the state database.
enum ReportCommand {
    static let command = Command(ReportOptions.self, run: run)

    /// How much journal each instance's section shows; `cloudctl history NAME` has the rest.
    static let operationsPerInstance = 20
    static let stepsPerInstance = 20

    static func run(_ options: ReportOptions, _ context: CommandContext) async throws -> Int32 {
        let loaded = FleetLoader.load(repo: context.repo, rules: AWSRules())
        let fleetName = loaded.fleet?.name
        // Like status, the page reports recorded state: a missing database usually means a wrong path.
        let store = try context.requiredStore(fleet: fleetName)
        let locks = Dictionary(try await store.locks().map { ($0.instance, $0) }, uniquingKeysWith: { a, _ in a })
        // The files' journal is read on this store's connection while the workspace reads the recorded state on its
        // own and then the planner runs: the journal takes about as long as the other two.
        let fileNames = Set(loaded.specs.map(\.name))
        async let filesJournal = store.histories(
            fileNames.sorted(), operations: operationsPerInstance, steps: stepsPerInstance)
        let workspace = try await FleetWorkspace.open(context, loaded: loaded)
        var notices: [String] = []
        let problems = workspace.loaded.diagnostics.filter { $0.severity == .error }.count
        if problems > 0 {
            let text =
                "\(problems) problems in the instance files; pending changes are unknown (run cloudctl validate)."
            notices.append(text)
            context.console.err("warning: " + text)
        }
        // `--refresh`: the drift check `cloudctl drift` makes (read calls only), one section per drifted instance.
        let drift =
            options.refresh ? Self.driftSections(try await CloudScan.run(workspace, names: [], context: context)) : nil
        let specs = workspace.specsByName
        let recorded = Dictionary(workspace.recorded.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let names = Set(specs.keys).union(recorded.keys).sorted()
        let pending = problems > 0 ? nil : pendingChanges(workspace)
        var histories = try await filesJournal
        // Recorded instances without a file (being removed) are known only now: read after the others.
        let orphans = names.filter { !fileNames.contains($0) }
        if !orphans.isEmpty {
            histories.merge(
                try await store.histories(orphans, operations: operationsPerInstance, steps: stepsPerInstance),
                uniquingKeysWith: { a, _ in a })
        }
        let instances = names.map { name in
            ReportInstance(
                name: name, spec: specs[name], recorded: recorded[name], lock: locks[name],
                operations: histories[name]?.operations ?? [], steps: histories[name]?.steps ?? [],
                pendingChanges: pending.map { $0.contains(name) })
        }
        let now = context.environment.now()
        // The data island (most of the page) is written on another core while the rollouts are evaluated.
        async let dataIsland = FleetPageRenderer.dataIsland(instances, now: now)
        // Rollout progress needs a usable fleet file and instance files, as `rollout status` does; else no section.
        var rollouts: [RolloutSection]?
        if let fleet = workspace.loaded.fleet, problems == 0 {
            let found = try await ReportRollouts.sections(
                fleet: fleet, specs: workspace.loaded.specs, recorded: workspace.recorded, store: store, now: now,
                histories: histories)
            rollouts = found.sections
            if found.omitted > 0 {
                notices.append(
                    "\(found.omitted) older releases may still be rolling and are not shown here; "
                        + "see `cloudctl rollout status VERSION`.")
            }
        }
        let page = FleetPage(
            fleet: fleetName ?? "(no fleet file)", generatedAt: now, toolVersion: CLI.toolVersion,
            instances: instances, rollouts: rollouts, drift: drift, notices: notices)
        let html = FleetPageRenderer.render(page, dataIsland: await dataIsland)
        try write(html, to: options.out, context)
        return CLI.ExitCode.success
    }

    /// Findings grouped by instance, in name order; findings that name no instance under "(no instance)".
    static func driftSections(_ scan: CloudScan) -> [DriftSection] {
        let groups = Dictionary(grouping: scan.findings) { $0.instance ?? "(no instance)" }
        return groups.keys.sorted().map { DriftSection(instance: $0, findings: groups[$0] ?? []) }
    }

    /// Names of the instances a fresh plan has changes for; nil when no plan can be made.
    static func pendingChanges(_ workspace: FleetWorkspace) -> Set<String>? {
        guard let input = try? workspace.planInput(selecting: []) else { return nil }
        var names: Set<String> = []
        let outline = Planner.plan(input) { instance in
            if instance.hasChanges { names.insert(instance.name) }
        }
        return outline.diagnostics.hasErrors ? nil : names
    }

    private static func write(_ html: String, to path: String, _ context: CommandContext) throws {
        if path == "-" {
            context.console.out(html)
            return
        }
        let url = context.userPath(path)
        do {
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            let file = try AtomicFileWriter(url)
            file.write(html)
            try file.commit()
        } catch {
            throw DiagnosticsError([
                .error(
                    "Cannot write the fleet page to \(url.path)",
                    detail: "Check that the directory is writable, or pass --out FILE. (\(error.localizedDescription))")
            ])
        }
        let size = ByteCountFormatter.string(fromByteCount: Int64(html.utf8.count), countStyle: .file)
        context.console.out("Wrote \(path) (\(size)). Open it in a browser: \(url.absoluteString)")
    }
}

/// `cloudctl report [--out FILE] [--refresh]`.
struct ReportOptions: CommandOptions, Equatable {
    /// The report command's own options.
    enum Option {
        static let out = OptionSpec.string(
            "--out", "FILE", "Write the page to FILE, or to standard output for '-' (default: \(defaultOut)).")
        static let refresh = OptionSpec.flag(
            "--refresh", "Also read the cloud (as `cloudctl drift` does, read calls only) and show the drift found.")
    }

    static let defaultOut = "fleet-report.html"

    static let spec = CommandSpec(
        name: "report", abstract: "Write the fleet page: one self-contained HTML file for support and reviews.",
        arguments: "", positionals: 0...0, options: [Option.out, Option.refresh])

    var out = defaultOut
    var refresh = false

    init(out: String = defaultOut, refresh: Bool = false) {
        self.out = out
        self.refresh = refresh
    }

    init(_ arguments: ParsedArguments, environment: CLIEnvironment) {
        self.init(out: arguments.value(Option.out) ?? Self.defaultOut, refresh: arguments.flag(Option.refresh))
    }
}
