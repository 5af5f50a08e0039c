import Foundation
import FleetModel
import FleetFiles
import AWSProvider

/// `cloudctl validate`: load and check every instance file; no database, no cloud.
enum ValidateCommand {
    static let command = Command(ValidateOptions.self) { options, context in
        let loaded = FleetLoader.load(repo: context.repo, rules: AWSRules())
        let diagnostics = loaded.diagnostics + TrialExpiry.warnings(loaded, now: context.environment.now())
        guard let revision = options.changedSince else {
            if options.format == .json {
                context.console.out(try DiagnosticsView.json(diagnostics, instanceFiles: loaded.instanceFileCount))
                return diagnostics.hasErrors ? CLI.ExitCode.failure : CLI.ExitCode.success
            }
            context.report(diagnostics)
            context.console.out(ValidateView.summary(diagnostics, fileCount: loaded.instanceFileCount))
            return diagnostics.hasErrors ? CLI.ExitCode.failure : CLI.ExitCode.success
        }
        // Only the changed files' problems (and the fleet file's, which every instance uses) are reported.
        let changed = try ChangedSince.select(revision, repo: context.repo, current: loaded)
        let files = Set(changed.names.map { loaded.files[$0] ?? "Instances/\($0).json" }).union(changed.invalidFiles)
        let selected = diagnostics.filter { diagnostic in
            guard let file = diagnostic.location?.file else { return true }
            return files.contains(file) || !file.hasPrefix("Instances/") || file == FleetLoader.fleetFile
        }
        if options.format == .json {
            context.console.err(ChangedSince.summary(changed, revision: revision))
            context.console.out(try DiagnosticsView.json(selected, instanceFiles: files.count))
            return selected.hasErrors ? CLI.ExitCode.failure : CLI.ExitCode.success
        }
        context.console.out(ChangedSince.summary(changed, revision: revision))
        context.report(selected)
        context.console.out(ValidateView.summary(selected, fileCount: files.count))
        return selected.hasErrors ? CLI.ExitCode.failure : CLI.ExitCode.success
    }
}

/// `cloudctl validate [--json] [--changed-since REF]`.
struct ValidateOptions: CommandOptions, Equatable {
    static let spec = CommandSpec(
        name: "validate",
        abstract: "Check the fleet and instance files; print every problem.",
        options: [
            OptionSpec.flag("--json", "Print the problems as one JSON document on stdout."), ChangedSince.option,
        ],
        // No database: only the files are checked.
        globals: [GlobalOptions.Option.repo],
        exitCodes: [(CLI.ExitCode.success, "no errors (warnings may be printed)"), (CLI.ExitCode.failure, "errors")])

    var format: ReportFormat = .human
    /// Only the files whose effective spec changed since this git revision (and the fleet file).
    var changedSince: String?

    init(format: ReportFormat = .human, changedSince: String? = nil) {
        self.format = format
        self.changedSince = changedSince
    }

    init(_ arguments: ParsedArguments, environment: CLIEnvironment) throws(UsageError) {
        self.init(format: ReportFormat(arguments), changedSince: try ChangedSince.revision(arguments, spec: Self.spec))
    }
}

/// The closing line of `validate` (each problem itself is a diagnostic on stderr).
enum ValidateView {
    /// "Validated 7 instance files: no problems." / "2 errors in 2 files." / "Validated 7 instance files: 1 warning."
    static func summary(_ diagnostics: [Diagnostic], fileCount: Int) -> String {
        let errors = diagnostics.filter { $0.severity == .error }
        let warnings = diagnostics.count - errors.count
        let warningText = "\(warnings) \(warnings == 1 ? "warning" : "warnings")"
        let validated = "Validated \(fileCount) instance \(fileCount == 1 ? "file" : "files")"
        guard !errors.isEmpty else { return validated + ": " + (warnings == 0 ? "no problems." : warningText + ".") }
        let files = Set(diagnostics.map { $0.location?.file ?? "" }).count
        return "\(errors.count) \(errors.count == 1 ? "error" : "errors")" + (warnings > 0 ? ", " + warningText : "")
            + " in \(files) \(files == 1 ? "file" : "files")."
    }
}
